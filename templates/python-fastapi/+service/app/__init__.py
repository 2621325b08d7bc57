"""The application package: main.py starts it, tests/ holds the tests."""
