// Package web owns presswatch's server-rendered HTML: the public site
// (incident list, pages, exports, health check) and the staff back office
// (/admin), with the security headers, sessions, CSRF protection, embedded
// templates, stylesheet and interface translations they need.
package web
