package mirror

import (
	"context"
	"fmt"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// SafeFetcher fetches through safehttp, the only outbound client.
type SafeFetcher struct{ Client *safehttp.Client }

// Fetch implements Fetcher.
func (s SafeFetcher) Fetch(ctx context.Context, url string) ([]byte, int, error) {
	res, err := s.Client.Get(ctx, url)
	if err != nil {
		return nil, 0, err
	}
	ex := res.Final()
	if ex == nil {
		return nil, 0, fmt.Errorf("no response from %s", url)
	}
	if ex.Truncated {
		return nil, ex.StatusCode, fmt.Errorf("%s is larger than allowed", url)
	}
	return ex.Body, ex.StatusCode, nil
}
