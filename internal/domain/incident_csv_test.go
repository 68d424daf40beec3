package domain

import "testing"

func TestFamiliesFingerprint(t *testing.T) {
	base := map[string]string{"killing": "violence", "website_blocked": "censorship"}
	fp := FamiliesFingerprint(base)
	for _, c := range []struct {
		name     string
		families map[string]string
		same     bool
	}{
		{"same map", map[string]string{"website_blocked": "censorship", "killing": "violence"}, true},
		{"an extra code without family", map[string]string{"killing": "violence", "website_blocked": "censorship", "x": ""}, true},
		{"an extra code in other", map[string]string{"killing": "violence", "website_blocked": "censorship", "x": "other"}, true},
		{"a family changed", map[string]string{"killing": "threats", "website_blocked": "censorship"}, false},
		{"a code moved to other", map[string]string{"killing": "other", "website_blocked": "censorship"}, false},
		{"a new code with a family", map[string]string{"killing": "violence", "website_blocked": "censorship", "x": "legal"}, false},
		{"codes and families joined differently", map[string]string{"killingv": "iolence", "website_blocked": "censorship"}, false},
	} {
		if got := FamiliesFingerprint(c.families) == fp; got != c.same {
			t.Errorf("%s: same fingerprint = %v, want %v", c.name, got, c.same)
		}
	}
}
