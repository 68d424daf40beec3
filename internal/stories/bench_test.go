package stories_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

// BenchmarkSearchStories measures the public list over 500 published
// stories (SQLite): the newest page, a topic filter and a two-word search.
func BenchmarkSearchStories(b *testing.B) {
	e := mustEnv(b, false)
	ctx := context.Background()
	for i := range 500 {
		st := sampleStory(fmt.Sprintf("Story number %d about the press", i))
		if err := e.svc.CreateStory(ctx, e.users["editor"], st, "", ""); err != nil {
			b.Fatal(err)
		}
		e.mustPublish(st)
	}
	for _, f := range []domain.StoryFilter{{}, {Topic: "threats"}, {Q: "number 499"}} {
		b.Run(fmt.Sprintf("%+v", f), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.svc.Search(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
