package monitor

import (
	"bufio"
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxRobotsBytes is the most of a robots.txt read (RFC 9309 asks for at
// least 500 KiB).
const maxRobotsBytes = 512 << 10

// Robots is a parsed robots.txt (RFC 9309): groups of user agents with
// Allow/Disallow rules and an optional Crawl-delay.
type Robots struct {
	groups []robotsGroup
}

type robotsGroup struct {
	agents     []string
	rules      []robotsRule
	crawlDelay time.Duration
}

type robotsRule struct {
	allow   bool
	pattern string
}

// ParseRobots parses a robots.txt body. It never fails: unknown lines are
// ignored, and an empty or unreadable file allows everything.
func ParseRobots(body []byte) *Robots {
	if len(body) > maxRobotsBytes {
		body = body[:maxRobotsBytes]
	}
	r := &Robots{}
	var cur *robotsGroup
	lastWasAgent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent", "useragent", "user agent":
			if cur == nil || !lastWasAgent {
				r.groups = append(r.groups, robotsGroup{})
				cur = &r.groups[len(r.groups)-1]
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			lastWasAgent = true
			continue
		case "allow", "disallow":
			if cur != nil {
				if val == "" && key == "disallow" {
					break // "Disallow:" with no path allows everything
				}
				cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: val})
			}
		case "crawl-delay":
			if cur != nil {
				if f, err := strconv.ParseFloat(val, 64); err == nil && f >= 0 && f < 86400 {
					cur.crawlDelay = time.Duration(f * float64(time.Second))
				}
			}
		}
		lastWasAgent = false
	}
	return r
}

// group returns the rules for agent: the groups naming the longest matching
// product token, else the "*" groups (merged, as RFC 9309 says).
func (r *Robots) group(agent string) robotsGroup {
	agent = strings.ToLower(agent)
	if i := strings.IndexAny(agent, "/ "); i >= 0 {
		agent = agent[:i]
	}
	var specific, star robotsGroup
	foundSpecific, foundStar := false, false
	for _, g := range r.groups {
		for _, a := range g.agents {
			switch {
			case a == "*":
				star.rules = append(star.rules, g.rules...)
				star.crawlDelay = max(star.crawlDelay, g.crawlDelay)
				foundStar = true
			case a != "" && a == agent:
				specific.rules = append(specific.rules, g.rules...)
				specific.crawlDelay = max(specific.crawlDelay, g.crawlDelay)
				foundSpecific = true
			default:
				continue
			}
			break
		}
	}
	if foundSpecific {
		return specific
	}
	if foundStar {
		return star
	}
	return robotsGroup{}
}

// Allowed reports whether agent may fetch the path (and query) of rawURL:
// the longest matching rule wins, Allow wins a tie, no rule allows.
func (r *Robots) Allowed(agent, rawURL string) bool {
	if r == nil {
		return true
	}
	path := "/"
	if u, err := url.Parse(rawURL); err == nil {
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
	}
	if path == "/robots.txt" {
		return true
	}
	g := r.group(agent)
	best, allowed := -1, true
	for _, rule := range g.rules {
		if !robotsMatch(rule.pattern, path) {
			continue
		}
		l := len(rule.pattern)
		if l > best || (l == best && rule.allow) {
			best, allowed = l, rule.allow
		}
	}
	return allowed
}

// CrawlDelay returns the Crawl-delay for agent, zero when none is set.
func (r *Robots) CrawlDelay(agent string) time.Duration {
	if r == nil {
		return 0
	}
	return r.group(agent).crawlDelay
}

// robotsMatch matches a robots.txt path pattern ("*" any run, "$" end)
// against path, iteratively (no backtracking blow-up).
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	pos := len(parts[0])
	if len(parts) == 1 {
		return !anchored || pos == len(path)
	}
	for i := 1; i < len(parts); i++ {
		p := parts[i]
		if i == len(parts)-1 && anchored {
			return strings.HasSuffix(path[pos:], p)
		}
		j := strings.Index(path[pos:], p)
		if j < 0 {
			return false
		}
		pos += j + len(p)
	}
	return true
}
