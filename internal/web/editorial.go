package web

import (
	"context"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

// Editorial is what the server needs of the staff use cases; it is
// implemented by *editorial.Service. Every method checks permissions itself;
// the server also hides what a role may not do.
type Editorial interface {
	Vocab(ctx context.Context) (domain.VocabSet, []domain.Term, error)
	CreateIncident(ctx context.Context, by *domain.User, inc *domain.Incident, note string) error
	UpdateIncident(ctx context.Context, by *domain.User, inc *domain.Incident, note string) error
	FindIncident(ctx context.Context, by *domain.User, id int64) (*domain.Incident, error)
	ListIncidents(ctx context.Context, by *domain.User, f domain.StaffFilter) ([]*domain.Incident, int, error)
	Submit(ctx context.Context, by *domain.User, id int64, version int, note string) error
	ReturnToDraft(ctx context.Context, by *domain.User, id int64, version int, note string) error
	Approve(ctx context.Context, by *domain.User, id int64, version int, comment string) error
	Publish(ctx context.Context, by *domain.User, id int64, version int) (*domain.PublicIncident, error)
	Withdraw(ctx context.Context, by *domain.User, id int64, reason string) (*domain.PublicIncident, error)
	Comment(ctx context.Context, by *domain.User, id int64, text string) error
	Review(ctx context.Context, by *domain.User, id int64) (*editorial.ReviewState, error)
	Diff(ctx context.Context, by *domain.User, id int64, a, b int) ([]editorial.DiffLine, error)
	Login(ctx context.Context, email, password string) (*domain.User, error)
	CheckTOTP(ctx context.Context, u *domain.User, code string) error
	NewTOTPSecret(u *domain.User) (secret, otpauthURL string, err error)
	EnrolTOTP(ctx context.Context, u *domain.User, secret, code string) error
	CreateUser(ctx context.Context, by *domain.User, email, name, role, password string) (*domain.User, error)
	UpdateUser(ctx context.Context, by *domain.User, id int64, role string, disabled bool) error
	ChangePassword(ctx context.Context, by *domain.User, id int64, oldPW, newPW string) error
	ListUsers(ctx context.Context, by *domain.User) ([]*domain.User, error)
	FindUser(ctx context.Context, id int64) (*domain.User, error)
	SaveTerm(ctx context.Context, by *domain.User, t domain.Term) error
	Audit(ctx context.Context, by *domain.User, f domain.AuditFilter) ([]*domain.AuditEntry, int, error)
}

var _ Editorial = (*editorial.Service)(nil)
