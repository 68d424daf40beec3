package monitor

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is the decaying re-check schedule of an article, as offsets from
// the time it was first seen: every step in Steps, then every Every until
// Until. A zero Every ends the schedule after Steps.
type Schedule struct {
	Steps []time.Duration
	Every time.Duration
	Until time.Duration
}

// DefaultSchedule re-checks after 1 h, 6 h, 24 h, 3 d, 7 d and 30 d, then
// every 30 days until a year after the article was first seen.
func DefaultSchedule() Schedule {
	return Schedule{
		Steps: []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour},
		Every: 30 * 24 * time.Hour,
		Until: 365 * 24 * time.Hour,
	}
}

// ParseSchedule reads a comma-separated list of durations, with "d" for
// days, and an optional "every D until D" tail:
// "1h,6h,24h,3d,7d,30d every 30d until 365d".
func ParseSchedule(s string) (Schedule, error) {
	var sch Schedule
	steps, tail, _ := strings.Cut(strings.TrimSpace(s), " every ")
	for _, f := range strings.Split(steps, ",") {
		d, err := parseDays(strings.TrimSpace(f))
		if err != nil {
			return Schedule{}, err
		}
		if len(sch.Steps) > 0 && d <= sch.Steps[len(sch.Steps)-1] {
			return Schedule{}, fmt.Errorf("monitor: schedule %q: steps must increase", s)
		}
		sch.Steps = append(sch.Steps, d)
	}
	if tail != "" {
		every, until, ok := strings.Cut(tail, " until ")
		if !ok {
			return Schedule{}, fmt.Errorf("monitor: schedule %q: want \"every D until D\"", s)
		}
		var err error
		if sch.Every, err = parseDays(strings.TrimSpace(every)); err != nil {
			return Schedule{}, err
		}
		if sch.Until, err = parseDays(strings.TrimSpace(until)); err != nil {
			return Schedule{}, err
		}
	}
	return sch, nil
}

func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(n + "h")
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("monitor: bad duration %q", s)
		}
		return 24 * d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("monitor: bad duration %q", s)
	}
	return d, nil
}

// NextCheck returns the first scheduled check after lastCheck for an
// article first seen at firstSeen, and false when the schedule is over.
// A zero lastCheck means "never checked since first seen".
func NextCheck(firstSeen, lastCheck time.Time, s Schedule) (time.Time, bool) {
	if lastCheck.Before(firstSeen) {
		lastCheck = firstSeen
	}
	for _, step := range s.Steps {
		if t := firstSeen.Add(step); t.After(lastCheck) {
			return t, true
		}
	}
	if s.Every <= 0 {
		return time.Time{}, false
	}
	start := time.Duration(0)
	if len(s.Steps) > 0 {
		start = s.Steps[len(s.Steps)-1]
	}
	elapsed := lastCheck.Sub(firstSeen)
	n := (elapsed-start)/s.Every + 1
	if n < 1 {
		n = 1
	}
	off := start + n*s.Every
	if s.Until > 0 && off > s.Until {
		return time.Time{}, false
	}
	return firstSeen.Add(off), true
}
