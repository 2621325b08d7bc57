package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// metadataHost is the Cloud Run metadata server; GCE_METADATA_HOST overrides it, as in
// Google's own client libraries.
const metadataHost = "169.254.169.254"

// ProjectID returns the Google Cloud project id that trace names need: GOOGLE_CLOUD_PROJECT
// when it is set; otherwise, only on Cloud Run (K_SERVICE is set), the metadata server's answer.
// Elsewhere it returns "" and no error: logs then simply carry no trace field.
func ProjectID(ctx context.Context, getenv func(string) string) (string, error) {
	if project := getenv("GOOGLE_CLOUD_PROJECT"); project != "" {
		return project, nil
	}
	if getenv("K_SERVICE") == "" {
		return "", nil
	}
	host := getenv("GCE_METADATA_HOST")
	if host == "" {
		host = metadataHost
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // never hold up start-up for long
	defer cancel()
	url := "http://" + host + "/computeMetadata/v1/project/project-id"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Metadata-Flavor", "Google")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("metadata server: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if err != nil {
		return "", fmt.Errorf("metadata server: %w", err)
	}
	project := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK || project == "" {
		return "", errors.New("metadata server: no project id (HTTP " + resp.Status + ")")
	}
	return project, nil
}
