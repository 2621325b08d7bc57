"""The application package: main.py is the entry point, tests/ holds the tests."""
