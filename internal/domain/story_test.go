package domain_test

import (
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestTransitionOfNamesTheRecord(t *testing.T) {
	tests := []struct {
		name string
		call func() (string, error)
		want string
	}{
		{"incident", func() (string, error) { return domain.Transition("draft", domain.ActionPublish) }, "This incident is draft"},
		{"story", func() (string, error) { return domain.TransitionOf("story", "draft", domain.ActionPublish) }, "This story is draft"},
		{"story withdrawn", func() (string, error) { return domain.TransitionOf("story", "in_review", domain.ActionWithdraw) }, "This story is in review; it cannot be withdrawn now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.call()
			if domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("want ECONFLICT, got %v", err)
			}
			if m := domain.ErrorMessage(err); !strings.HasPrefix(m, tt.want) {
				t.Fatalf("message %q, want prefix %q", m, tt.want)
			}
		})
	}
	// The same table serves both: a story follows the incident workflow.
	for _, a := range []string{domain.ActionSubmit, "return", domain.ActionPublish, domain.ActionWithdraw, "reopen"} {
		for _, st := range []string{domain.PublicationDraft, domain.PublicationInReview, domain.PublicationPublished, domain.PublicationWithdrawn} {
			to1, err1 := domain.Transition(st, a)
			to2, err2 := domain.TransitionOf("story", st, a)
			if to1 != to2 || domain.ErrorCode(err1) != domain.ErrorCode(err2) {
				t.Fatalf("%s from %s: incident %q %v, story %q %v", a, st, to1, err1, to2, err2)
			}
		}
	}
}
