package web

import (
	"context"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// Stories is what the server needs of the stories and safe-box use cases;
// it is implemented by *stories.Service. Every method checks permissions.
type Stories interface {
	CreateStory(ctx context.Context, by *domain.User, st *domain.Story, realName, note string) error
	UpdateStory(ctx context.Context, by *domain.User, st *domain.Story, realName, note string) error
	FindStory(ctx context.Context, by *domain.User, id int64) (*domain.Story, error)
	ListStories(ctx context.Context, by *domain.User, f domain.StoryStaffFilter) ([]*domain.Story, int, error)
	Review(ctx context.Context, by *domain.User, id int64) (*stories.StoryReview, error)
	Submit(ctx context.Context, by *domain.User, id int64, version int, note string) error
	ReturnToDraft(ctx context.Context, by *domain.User, id int64, version int, note string) error
	Approve(ctx context.Context, by *domain.User, id int64, version int, comment string) error
	Publish(ctx context.Context, by *domain.User, id int64, version int) (*domain.PublicStory, error)
	Withdraw(ctx context.Context, by *domain.User, id int64, reason string) (*domain.PublicStory, error)
	FindPublic(ctx context.Context, slug string) (*domain.PublicStory, error)
	Search(ctx context.Context, f domain.StoryFilter) (*domain.StoryPage, error)
	ForIncident(ctx context.Context, ref string) ([]*domain.PublicStory, error)

	FromIntake(ctx context.Context, by *domain.User, reportID int64, st *domain.Story, realName, note string) error
	SourceStories(ctx context.Context, reportID int64) ([]*stories.StoryReview, error)
	SourceApprove(ctx context.Context, reportID, storyID int64, version int) error
	SourceWithdrawConsent(ctx context.Context, reportID, storyID int64) error

	Editors(ctx context.Context) ([]stories.Editor, error)
	Deposit(ctx context.Context, who stories.Depositor, in stories.DepositInput) (*stories.NewDeposit, error)
	DepositSealed(ctx context.Context, who stories.Depositor, in stories.DepositInput, dw *stories.DepositWriter) (*stories.NewDeposit, error)
	CheckIn(ctx context.Context, who stories.Depositor) ([]*domain.Deposit, error)
	MyDeposits(ctx context.Context, who stories.Depositor) ([]*domain.Deposit, error)
	Cancel(ctx context.Context, who stories.Depositor, id int64) error
	Read(ctx context.Context, by *domain.User, id int64, password string) (*stories.Bundle, error)
	ListDepositStatus(ctx context.Context, by *domain.User) ([]*stories.DepositStatus, error)
	DepositStatusOf(ctx context.Context, by *domain.User, id int64) (*stories.DepositStatus, error)
	Alerts(ctx context.Context, by *domain.User) ([]*domain.DepositAlert, error)
	Release(ctx context.Context, by *domain.User, id int64, password string) (*domain.PublicStory, error)
}

var _ Stories = (*stories.Service)(nil)

// storiesOnly answers 404 when stories are not wired.
// storiesOnlyPost is storiesOnly for the streamed deposit form, whose CSRF
// token is read inside the handler: with stories off such a POST is refused
// like any POST without a valid token, so no POST route ever answers it with
// anything but 403.
func (s *Server) storiesOnlyPost(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Stories == nil {
			s.forbidden(w, r)
			return
		}
		h(w, r)
	}
}

func (s *Server) storiesOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Stories == nil {
			s.notFound(w, r)
			return
		}
		h(w, r)
	}
}
