package monitortest

import (
	"strings"
	"time"
)

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// Scripted is one article of the simulated newsroom with the detections its
// script must produce, in order (kinds: deleted, edited, restored,
// unavailable).
type Scripted struct {
	Host   string
	Art    *Article
	Expect []string
}

func scriptArticle(section, slug string, published time.Duration, steps ...Step) *Article {
	a := NewArticle(section, slug)
	a.Published = published
	a.Script = steps
	return a
}

// NewsroomScript builds the outlets of the simulated newsroom and what
// every article must yield; the library's test and the product's end-to-end
// test both run it.
// Every article is published an hour before the first round, so it is first
// seen at 0 and re-checked at 1 h, 6 h, 24 h, 3 d, 7 d, 30 d.
func NewsroomScript() ([]*Outlet, []Scripted) {
	const pub = -hour
	var all []Scripted
	add := func(host string, a *Article, expect ...string) *Article {
		all = append(all, Scripted{Host: host, Art: a, Expect: expect})
		return a
	}
	D, E, R, U := "deleted", "edited", "restored", "unavailable"

	editedTitle := scriptArticle("politics", "title-edited-story", pub, Step{At: 3 * hour, Title: "A quieter headline about the water inquiry"})
	editedLede := scriptArticle("politics", "lede-edited-story", pub, Step{At: 20 * hour, Lede: "Officials said the review was routine and that no contracts were under investigation."})
	bodyEdit := scriptArticle("business", "body-edited-story", pub)
	newBody := append([]string(nil), bodyEdit.Body...)
	newBody[2] = strings.Replace(newBody[2], ".", " according to sources close to the chief minister.", 1)
	newBody = append(newBody[:3], newBody[4:]...)
	bodyEdit.Script = []Step{{At: 2 * day, Body: newBody}}
	twice := scriptArticle("politics", "edited-twice-story", pub,
		Step{At: 3 * hour, Title: "Second version of the headline on the budget"},
		Step{At: 5 * day, Lede: "The budget passed without the amendments the opposition had demanded in the assembly."})
	late := scriptArticle("sport", "late-published-story", 10*day, Step{At: 10*day + 3*hour, Title: "Cricket board reverses its decision"})

	dawn := &Outlet{Host: "dawn.test", Name: "Dawn", Feed: RSS, Validators: ETag,
		Robots: "User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n"}
	dawn.Articles = []*Article{
		add("dawn.test", scriptArticle("politics", "deleted-with-404", pub, Step{At: 3 * hour, Mode: NotFound}), D),
		add("dawn.test", scriptArticle("politics", "deleted-with-410", pub, Step{At: 20 * hour, Mode: Gone}), D),
		add("dawn.test", scriptArticle("politics", "deleted-with-451", pub, Step{At: 2 * day, Mode: Legal}), D),
		add("dawn.test", editedTitle, E),
		add("dawn.test", scriptArticle("business", "moved-permanently-story", pub, Step{At: 3 * hour, Mode: Moved, MovedTo: "/business/2024/05/moved-permanently-story-updated-slug"})),
		add("dawn.test", scriptArticle("politics", "deleted-then-restored", pub, Step{At: 3 * hour, Mode: NotFound}, Step{At: 2 * day, Mode: Serve}), D, R),
		add("dawn.test", scriptArticle("politics", "flapping-per-request", pub, Step{At: 2 * hour, Mode: Flap404})),
		add("dawn.test", late, E),
		add("dawn.test", &Article{Path: "/private/2024/05/robots-disallowed-story", Section: "private", Title: "Disallowed", Lede: Paragraph("p", 2), Body: Body("p", 3), Published: pub}),
	}
	tribune := &Outlet{Host: "tribune.test", Name: "Tribune", Feed: Atom, Validators: LastModified, SoftNotFound: true}
	tribune.Articles = []*Article{
		add("tribune.test", scriptArticle("politics", "soft-404-story", pub, Step{At: 3 * hour, Mode: Soft404}), D),
		add("tribune.test", scriptArticle("politics", "redirected-home-story", pub, Step{At: 20 * hour, Mode: RedirectHome}), D),
		add("tribune.test", scriptArticle("business", "redirected-section-story", pub, Step{At: 2 * day, Mode: RedirectSection}), D),
		add("tribune.test", editedLede, E),
		add("tribune.test", scriptArticle("politics", "brief-outage-story", pub, Step{At: 3 * hour, Mode: Down}, Step{At: 30 * hour, Mode: Serve})),
		add("tribune.test", scriptArticle("politics", "flapping-outage-story", pub,
			Step{At: 2 * hour, Mode: Down}, Step{At: 8 * hour, Mode: Serve},
			Step{At: 20 * hour, Mode: Down}, Step{At: 30 * hour, Mode: Serve},
			Step{At: 40 * hour, Mode: Down}, Step{At: 60 * hour, Mode: Serve})),
	}
	geo := &Outlet{Host: "geo.test", Name: "Geo", Feed: JSON}
	slow := scriptArticle("sport", "slow-server-story", pub)
	slow.Delay = 30 * time.Millisecond
	geo.Articles = []*Article{
		add("geo.test", scriptArticle("politics", "boilerplate-only-story", pub)),
		add("geo.test", scriptArticle("business", "boilerplate-only-second", pub)),
		add("geo.test", bodyEdit, E),
		add("geo.test", slow),
		add("geo.test", scriptArticle("politics", "long-outage-story", pub, Step{At: 3 * hour, Mode: Reset}), U),
	}
	express := &Outlet{Host: "express.test", Name: "Express", Feed: Sitemap, Validators: ETag}
	express.Articles = []*Article{
		add("express.test", twice, E, E),
		add("express.test", scriptArticle("politics", "sitemap-deleted-story", pub, Step{At: 4 * day, Mode: Gone}), D),
		add("express.test", scriptArticle("politics", "sitemap-long-503-story", pub, Step{At: 5 * hour, Mode: Down}), U),
		add("express.test", scriptArticle("business", "sitemap-unchanged-story", pub)),
	}
	return []*Outlet{dawn, tribune, geo, express}, all
}
