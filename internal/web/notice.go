package web

import "net/http"

// notices are the confirmations a redirect may ask for with ?ok=CODE; only
// these fixed texts are ever shown, never text from the URL.
var notices = map[string]string{
	"saved":     "Saved as a new revision.",
	"submitted": "Submitted for review.",
	"returned":  "Returned to draft.",
	"approved":  "Approved.",
	"published": "Published.",
	"withdrawn": "Withdrawn: the public page now says so.",
	"commented": "Comment added.",
	"password":  "Your password was changed; your other sessions were ended.",
	"user":      "User updated.",
	"term":      "Term saved.",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("ok")] }
