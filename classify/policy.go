package classify

import (
	"fmt"
	"regexp"
	"strings"
)

// Policy is a tenant's filing policy.
type Policy struct {
	// MatterLabelPrefix marks Gmail labels naming a matter ("Matters/").
	MatterLabelPrefix string `json:"matter_label_prefix"`
	// FilingLabel is the generic label asking for filing ("File to matter").
	FilingLabel string `json:"filing_label"`
	// FileThreshold is the confidence at or above which a message is filed
	// without review.
	FileThreshold float64 `json:"file_threshold"`
	// ReviewThreshold is the confidence below which a message nobody
	// labelled for filing counts as not matter-related. A message a lawyer
	// labelled is never dismissed by the classifier: at worst it goes to
	// review.
	ReviewThreshold float64 `json:"review_threshold"`
	// NumberPatterns are regular expressions that find matter and
	// contract numbers written in a form other than the registry's
	// ("2024/0117", "Az. 2024.0117"). A match, with '/' and '.' read as
	// '-', that is no known number is reported as an unknown number.
	// Known numbers are found whatever their form without a pattern.
	NumberPatterns []string `json:"number_patterns,omitempty"`
	// NumberStopWords are words after which a number is not a matter
	// number ("invoice 2024-0117", "Tel. 2024-0117").
	NumberStopWords []string `json:"number_stop_words,omitempty"`
	// PublicDomains are mail domains shared by strangers (webmail): an
	// address there says nothing about its owner's client.
	PublicDomains []string `json:"public_domains,omitempty"`
}

// DefaultPolicy is the policy of a tenant that configured nothing.
func DefaultPolicy() Policy {
	return Policy{
		MatterLabelPrefix: "Matters/",
		FilingLabel:       "File to matter",
		FileThreshold:     0.85,
		ReviewThreshold:   0.3,
		NumberPatterns:    []string{`\b(?:[A-Za-z]{1,3}-)?(?:19|20)\d\d[-/.]\d{3,5}\b`},
		NumberStopWords: []string{
			"invoice", "inv", "rechnung", "rechnungsnummer", "rg", "order", "bestellung", "po", "purchase",
			"tel", "telephone", "phone", "fax", "mobile", "mob", "cell", "ticket", "account", "konto",
			"iban", "customer", "kunde", "kundennummer", "receipt", "booking", "tracking", "sendung",
			"application", "antrag",
		},
		PublicDomains: []string{
			"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
			"icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
			"proton.me", "protonmail.com", "mail.com", "gmail.example", "webmail.example",
		},
	}
}

// Validate names the first bad field.
func (p Policy) Validate() error {
	if strings.TrimSpace(p.MatterLabelPrefix) == "" {
		return fmt.Errorf("matter label prefix is empty")
	}
	if strings.TrimSpace(p.FilingLabel) == "" {
		return fmt.Errorf("filing label is empty")
	}
	if p.FileThreshold <= 0 || p.FileThreshold > 1 {
		return fmt.Errorf("file threshold %v is outside (0,1]", p.FileThreshold)
	}
	if p.ReviewThreshold < 0 || p.ReviewThreshold >= p.FileThreshold {
		return fmt.Errorf("review threshold %v is outside [0, file threshold %v)", p.ReviewThreshold, p.FileThreshold)
	}
	for i, s := range p.NumberPatterns {
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Errorf("number pattern %d: %w", i+1, err)
		}
	}
	return nil
}

// IsFilingLabel reports whether a Gmail label asks for filing: a label
// under the matter prefix or the generic filing label.
func (p Policy) IsFilingLabel(label string) bool {
	return label == p.FilingLabel || (strings.HasPrefix(label, p.MatterLabelPrefix) && len(label) > len(p.MatterLabelPrefix))
}
