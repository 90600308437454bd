package gmailfake_test

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"
	"google.golang.org/api/gmail/v1"
	"google.golang.org/api/option"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// A sync must keep paging until nextPageToken is absent, through pages
// that come back empty.
func Example() {
	ctx := context.Background()
	fake := gmailfake.New(gmailfake.Options{EmptyPageRate: 0.5, Seed: 1})
	defer fake.Close()
	mb := fake.AddMailbox("alice@firm.example")
	acme := mb.CreateLabel("Matters/Acme")
	for i := range 7 {
		mb.AddMessage(fmt.Appendf(nil, "Message-ID: <%d@example.com>\r\nSubject: Acme\r\n\r\nbody\r\n", i), acme)
	}

	fake.RegisterClient("cid", "secret")
	cfg := &oauth2.Config{ClientID: "cid", ClientSecret: "secret",
		Endpoint: oauth2.Endpoint{AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL()}}
	tok := fake.IssueToken("cid", "alice@firm.example", gmailfake.ScopeReadonly)
	svc, err := gmail.NewService(ctx, option.WithEndpoint(fake.URL()+"/"), option.WithHTTPClient(cfg.Client(ctx, tok)))
	if err != nil {
		panic(err)
	}

	found := 0
	err = svc.Users.Messages.List("me").LabelIds(acme).MaxResults(3).Pages(ctx, func(page *gmail.ListMessagesResponse) error {
		found += len(page.Messages)
		return nil
	})
	fmt.Println(found, err)
	// Output: 7 <nil>
}
