package web

import (
	"net/http"
	"strings"
)

// route is one entry of the site's surface.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable is the whole HTTP surface of the site, public and back office.
// Every POST route goes through requireCSRF; no GET handler writes.
func (s *Server) routeTable() []route {
	// Back-office wrappers: session loaded; CSRF checked on POST before the
	// handler runs; the signed-in user's role checked for action ("" = any).
	get := func(action string, h http.HandlerFunc) http.Handler {
		return s.withSession(s.requireStaff(action, h))
	}
	post := func(action string, h http.HandlerFunc) http.Handler {
		return s.withSession(s.requireCSRF(s.requireStaff(action, h)))
	}
	// Steps before a full session: login, second factor, enrolment.
	pre := func(h http.HandlerFunc) http.Handler { return s.withSession(h) }
	prePost := func(h http.HandlerFunc) http.Handler { return s.withSession(s.requireCSRF(h)) }

	return []route{
		// Public site.
		{"GET /{$}", http.HandlerFunc(s.handleHome)},
		{"GET /incidents", s.cachePublic(http.HandlerFunc(s.handleIncidentList))}, // perf: page cache per generation (cache.go)
		{"GET /incidents.json", http.HandlerFunc(s.handleIncidentsJSON)},
		{"GET /incidents.csv", http.HandlerFunc(s.handleIncidentsCSV)},
		{"GET /incidents/{ref}", http.HandlerFunc(s.handleIncidentShow)},
		// Public data: statistics, maps, feeds, exports, data dictionary.
		{"GET /stats", http.HandlerFunc(s.handleStats)},
		{"GET /stats/{chart}", http.HandlerFunc(s.handleStatsCSV)},
		{"GET /map", http.HandlerFunc(s.handleMap)},
		{"GET /incidents.atom", http.HandlerFunc(s.handleIncidentsAtom)},
		{"GET /incidents.ndjson", http.HandlerFunc(s.handleIncidentsNDJSON)},
		{"GET /data", http.HandlerFunc(s.handleData)},
		{"GET /healthz", http.HandlerFunc(s.handleHealthz)},
		{"GET /static/", http.HandlerFunc(s.handleStatic)},

		// The public log (its files under /log/ are a mount from package ledger).
		{"GET /log", http.HandlerFunc(s.handleLogPage)},
		{"GET /incidents/{ref}/content/{file}", http.HandlerFunc(s.handleLogContent)},

		// Staff sign-in.
		{"GET /admin/login", pre(s.handleLoginForm)},
		{"POST /admin/login", prePost(s.handleLogin)},
		{"GET /admin/login/totp", pre(s.handleTOTPForm)},
		{"POST /admin/login/totp", prePost(s.handleTOTP)},
		{"GET /admin/enrol", pre(s.handleEnrolForm)},
		{"POST /admin/enrol", prePost(s.handleEnrol)},
		{"POST /admin/logout", prePost(s.handleLogout)},
		{"GET /admin/password", get("", s.handlePasswordForm)},
		{"POST /admin/password", post("", s.handlePassword)},

		// Incidents.
		{"GET /admin", get("", s.handleAdminHome)},
		{"GET /admin/incidents", get(actionRead, s.handleAdminIncidentList)},
		{"GET /admin/review", get(actionRead, s.handleReviewQueue)},
		{"GET /admin/incidents/new", get(actionEdit, s.handleAdminIncidentNew)},
		{"POST /admin/incidents/new", post(actionEdit, s.handleAdminIncidentSave)},
		{"GET /admin/incidents/{id}", get(actionRead, s.handleAdminIncidentShow)},
		{"GET /admin/incidents/{id}/edit", get(actionEdit, s.handleAdminIncidentEdit)},
		{"POST /admin/incidents/{id}/edit", post(actionEdit, s.handleAdminIncidentSave)},
		{"POST /admin/incidents/{id}/submit", post(actionSubmit, s.handleAdminIncidentSubmit)},
		{"POST /admin/incidents/{id}/return", post(actionSubmit, s.handleAdminIncidentReturn)},
		{"POST /admin/incidents/{id}/approve", post(actionApprove, s.handleAdminIncidentApprove)},
		{"POST /admin/incidents/{id}/publish", post(actionPublish, s.handleAdminIncidentPublish)},
		{"POST /admin/incidents/{id}/withdraw", post(actionWithdraw, s.handleAdminIncidentWithdraw)},
		{"POST /admin/incidents/{id}/comment", post(actionComment, s.handleAdminIncidentComment)},
		{"GET /admin/incidents/{id}/revisions", get(actionRead, s.handleAdminRevisions)},

		// Evidence: capture pages (staff; public when a published incident
		// cites the capture) and the capture button of the back office.
		{"GET /captures/{id}", pre(s.handleCaptureShow)},
		{"GET /captures/{id}/replay", pre(s.handleCaptureReplay)},
		{"GET /captures/{id}/screenshot.png", pre(s.handleCaptureScreenshot)},
		{"GET /captures/{id}/warc", pre(s.handleCaptureWARC)},
		{"GET /captures/{id}/diff/{other}", pre(s.handleCaptureDiff)},
		{"POST /admin/incidents/{id}/sources/{n}/capture", post(actionCapture, s.handleAdminSourceCapture)},

		// Administration.
		{"GET /admin/vocab", get(actionManageVocab, s.handleAdminVocab)},
		{"POST /admin/vocab", post(actionManageVocab, s.handleAdminVocabSave)},
		{"GET /admin/users", get(actionManageUsers, s.handleAdminUsers)},
		{"POST /admin/users", post(actionManageUsers, s.handleAdminUserCreate)},
		{"POST /admin/users/{id}", post(actionManageUsers, s.handleAdminUserUpdate)},
		{"GET /admin/audit", get(actionViewAudit, s.handleAdminAudit)},

		// Anonymous intake: the source side (no staff session, own cookie,
		// own CSRF token read before any file) and the editors' inbox.
		{"GET /submit", s.sourceOnly(s.handleSubmitForm)},
		{"POST /submit", s.sourceOnly(s.handleSubmit)},
		{"GET /submit/codename", s.sourceOnly(s.handleSubmitCodename)},
		{"GET /submit/login", s.sourceOnly(s.handleSourceLoginForm)},
		{"POST /submit/login", s.sourcePost(s.handleSourceLogin)},
		{"POST /submit/logout", s.sourcePost(s.handleSourceLogout)},
		{"GET /submit/reports", s.sourceOnly(s.handleSourceReports)},
		{"POST /submit/reports/{id}", s.sourceOnly(s.handleSourceMessage)},
		{"GET /admin/intake", get(actionEdit, s.intakeOnly(s.handleAdminIntakeList))},
		{"POST /admin/intake/unlock", post(actionEdit, s.intakeOnly(s.handleAdminIntakeUnlock))},
		{"POST /admin/intake/lock", post(actionEdit, s.intakeOnly(s.handleAdminIntakeLock))},
		{"POST /admin/intake/rewrap", post(actionManageUsers, s.intakeOnly(s.handleAdminIntakeRewrap))},
		{"GET /admin/intake/export", get(actionManageUsers, s.intakeOnly(s.handleAdminIntakeExport))},
		{"GET /admin/intake/{id}", get(actionEdit, s.intakeOnly(s.handleAdminIntakeShow))},
		{"POST /admin/intake/{id}/status", post(actionEdit, s.intakeOnly(s.handleAdminIntakeStatus))},
		{"POST /admin/intake/{id}/assign", post(actionEdit, s.intakeOnly(s.handleAdminIntakeAssign))},
		{"POST /admin/intake/{id}/reply", post(actionEdit, s.intakeOnly(s.handleAdminIntakeReply))},
		{"GET /admin/intake/{id}/attachments/{att}", get(actionEdit, s.intakeOnly(s.handleAdminIntakeAttachment))},
		{"POST /admin/intake/{id}/attachments/{att}/publish", post(actionEdit, s.intakeOnly(s.handleAdminIntakePublish))},
		{"GET /admin/intake/{id}/published/{d}", get(actionEdit, s.intakeOnly(s.handleAdminIntakePublished))},
		{"GET /admin/intake/{id}/convert", get(actionEdit, s.intakeOnly(s.handleAdminIntakeConvertForm))},
		{"POST /admin/intake/{id}/convert", post(actionEdit, s.intakeOnly(s.handleAdminIntakeConvert))},

		// Stories and the safe box (nil Options.Stories turns them off).
		{"GET /stories", s.storiesOnly(s.handleStoryList)},
		{"GET /stories.json", s.storiesOnly(s.handleStoriesJSON)},
		{"GET /stories.atom", s.storiesOnly(s.handleStoriesAtom)},
		{"GET /stories/{slug}", s.storiesOnly(s.handleStoryShow)},
		{"GET /stories/{slug}/content/{file}", s.storiesOnly(s.handleStoryContent)},
		{"GET /safebox", pre(s.storiesOnly(s.handleSafebox))},
		{"POST /safebox/deposit", pre(s.storiesOnlyPost(s.handleSafeboxDeposit))}, // CSRF: first part of the streamed form (safebox_upload.go)
		{"POST /safebox/checkin", prePost(s.storiesOnly(s.handleSafeboxCheckIn))},
		{"POST /safebox/cancel", prePost(s.storiesOnly(s.handleSafeboxCancel))},
		{"GET /admin/stories", get(actionRead, s.storiesOnly(s.handleAdminStoryList))},
		{"GET /admin/stories/new", get(actionEdit, s.storiesOnly(s.handleAdminStoryNew))},
		{"POST /admin/stories/new", post(actionEdit, s.storiesOnly(s.handleAdminStorySave))},
		{"GET /admin/stories/{id}", get(actionRead, s.storiesOnly(s.handleAdminStoryShow))},
		{"GET /admin/stories/{id}/edit", get(actionEdit, s.storiesOnly(s.handleAdminStoryEdit))},
		{"POST /admin/stories/{id}/edit", post(actionEdit, s.storiesOnly(s.handleAdminStorySave))},
		{"POST /admin/stories/{id}/submit", post(actionSubmit, s.storiesOnly(s.handleAdminStorySubmit))},
		{"POST /admin/stories/{id}/return", post(actionSubmit, s.storiesOnly(s.handleAdminStoryReturn))},
		{"POST /admin/stories/{id}/approve", post(actionApprove, s.storiesOnly(s.handleAdminStoryApprove))},
		{"POST /admin/stories/{id}/publish", post(actionPublish, s.storiesOnly(s.handleAdminStoryPublish))},
		{"POST /admin/stories/{id}/withdraw", post(actionWithdraw, s.storiesOnly(s.handleAdminStoryWithdraw))},
		{"GET /admin/safebox", get(actionRead, s.storiesOnly(s.handleAdminSafebox))},
		{"GET /admin/safebox/{id}", get(actionRead, s.storiesOnly(s.handleAdminDeposit))},
		{"POST /admin/safebox/{id}/read", post(actionRead, s.storiesOnly(s.handleAdminDepositRead))},
		{"POST /admin/safebox/{id}/release", post(actionPublish, s.storiesOnly(s.handleAdminDepositRelease))},
		{"POST /submit/reports/{id}/stories/{story}/approve", s.sourcePost(s.handleSourceStoryApprove)},
		{"POST /submit/reports/{id}/stories/{story}/withdraw", s.sourcePost(s.handleSourceStoryWithdraw)},
		{"GET /admin/intake/{id}/story", get(actionEdit, s.intakeOnly(s.storiesOnly(s.handleAdminIntakeStoryForm)))},
		{"POST /admin/intake/{id}/story", post(actionEdit, s.intakeOnly(s.storiesOnly(s.handleAdminIntakeStory)))},

		// Mirrors: the public list and the back office (nil Options.Mirrors
		// turns them off).
		{"GET /mirrors.json", s.mirrorsOnly(s.handleMirrorsJSON)},
		{"GET /admin/mirrors", get(actionRead, s.mirrorsOnly(s.handleAdminMirrors))},
		{"POST /admin/mirrors", post(actionManageUsers, s.mirrorsOnly(s.handleAdminMirrorCreate))},
		{"POST /admin/mirrors/onion", post(actionManageUsers, s.mirrorsOnly(s.handleAdminMirrorOnion))},
		{"GET /admin/mirrors/{id}", get(actionManageUsers, s.mirrorsOnly(s.handleAdminMirrorEdit))},
		{"POST /admin/mirrors/{id}", post(actionManageUsers, s.mirrorsOnly(s.handleAdminMirrorUpdate))},
		{"POST /admin/mirrors/{id}/delete", post(actionManageUsers, s.mirrorsOnly(s.handleAdminMirrorDelete))},

		// Monitor: public outlet pages and feeds, the outlets and the
		// detections queue of the back office (nil Options.Monitor turns them
		// off). Reviewers see; editors and admins act.
		{"GET /outlets", s.monitorOnly(s.handleOutlets)},
		{"GET /outlets/{slug}", s.monitorOnly(s.handleOutletShow)}, // and /outlets/{slug}.atom
		{"GET /admin/outlets", get(actionRead, s.monitorOnly(s.handleAdminOutlets))},
		{"POST /admin/outlets", post(actionEdit, s.monitorOnly(s.handleAdminOutletCreate))},
		{"GET /admin/outlets/{slug}", get(actionRead, s.monitorOnly(s.handleAdminOutletEdit))},
		{"POST /admin/outlets/{slug}", post(actionEdit, s.monitorOnly(s.handleAdminOutletUpdate))},
		{"POST /admin/outlets/{slug}/delete", post(actionEdit, s.monitorOnly(s.handleAdminOutletRemove))},
		{"GET /admin/detections", get(actionRead, s.monitorOnly(s.handleAdminDetections))},
		{"GET /admin/detections/{id}", get(actionRead, s.monitorOnly(s.handleAdminDetection))},
		{"POST /admin/detections/{id}/confirm", post(actionEdit, s.monitorOnly(s.handleAdminDetectionReview(true)))},
		{"POST /admin/detections/{id}/dismiss", post(actionEdit, s.monitorOnly(s.handleAdminDetectionReview(false)))},

		// Anything else is the site's 404 page.
		{"/", http.HandlerFunc(s.notFound)},
	}
}

// PostRoutes lists the state-changing routes (method and pattern), for
// tests that prove each refuses a request without a CSRF token.
func (s *Server) PostRoutes() []string {
	var out []string
	for _, rt := range s.routes {
		if strings.HasPrefix(rt.pattern, "POST ") {
			out = append(out, rt.pattern)
		}
	}
	return out
}
