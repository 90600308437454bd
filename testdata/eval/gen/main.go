//go:build ignore

// Command gen writes the labelled evaluation set for the matter classifier
// into testdata/eval: the targets of an invented firm (matters.json), one
// Google Takeout mbox export per lawyer (<name>.mbox), the truth for every
// message (EXPECTED.csv) and README.md.
//
// The truth of every message is decided here, by construction: what a
// careful lawyer would file the message to, or "none". No classifier is
// involved. The generator checks that each message carries the evidence its
// category claims and no stray evidence (a target number, a participant or
// an alias of another target) that the author did not declare.
//
// Everything is built from the tables below and written deterministically:
// fixed dates, fixed identifiers, no randomness, no map iteration in the
// output. Run it from the repository root and review the diff:
//
//	go run testdata/eval/gen/main.go
//
// Every person, firm, company, court and address is invented; every domain
// is under .example.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"log"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	firmDomain  = "harperlegal.example"
	filingLabel = "File to matter"
	outDir      = "testdata/eval"
)

// ---------------------------------------------------------------------------
// The firm's mailboxes.

type mailbox struct {
	Name, Person, Role, Office string
	CRLF                       bool // line endings of the export
	Walled                     string
}

var mailboxes = []mailbox{
	{"alice", "Alice Harper", "partner, US litigation, trade marks and patents", "New York", false, ""},
	{"ben", "Ben Okafor", "senior associate, real estate and commercial contracts", "London", false, ""},
	{"chloe", "Chloe Lindqvist", "counsel, German employment and distribution law", "Frankfurt", false, ""},
	{"devika", "Devika Rao", "associate, UK disputes and employment", "London", false, "m-2024-0297"},
	{"emil", "Emil Sandberg", "partner, corporate and investment funds", "New York", true, "m-2024-0231"},
}

func (m mailbox) addr() string { return m.Name + "@" + firmDomain }

// ---------------------------------------------------------------------------
// Targets, in the schema of classify.Target.

type target struct {
	ID              string   `json:"id"`
	Number          string   `json:"number"`
	Title           string   `json:"title"`
	Kind            string   `json:"kind"`
	Client          string   `json:"client"`
	ClientName      string   `json:"client_name,omitempty"`
	Status          string   `json:"status,omitempty"`
	OpposingParties []string `json:"opposing_parties,omitempty"`
	Participants    []string `json:"participants,omitempty"`
	Domains         []string `json:"domains,omitempty"`
	Aliases         []string `json:"aliases,omitempty"`
	Keywords        []string `json:"keywords,omitempty"`
	Labels          []string `json:"labels,omitempty"`
	Walled          []string `json:"walled,omitempty"`
}

// Gmail labels mapped to targets.
const (
	lAcmeBeta = "Matters/2024-0117 Acme v. Beta"
	lAcmeDort = "Matters/2024-0142 Acme lease"
	lCorvid   = "Matters/C-2024-031 Acme MSA"
	lHarvest  = "Matters/2024-0288 Northwind TM"
	lColdline = "Matters/2024-0301 Northwind v Coldline"
	lWeber    = "Matters/2024-0203 Müller, Kündigung" // a comma: Takeout quotes it
	lAlpen    = "Matters/C-2024-047 Müller distribution"
	lFelix    = "Matters/2024-0155 Vantor Felixstowe fire"
	lSolberg  = "Matters/2024-0219 Vantor Solberg PPA"
	lEllery   = "Matters/2024-0190 Ellery estate"
	lGull     = "Matters/2024-0231 Project Gull"
	lMarek    = "Matters/2024-0175 Pellucid v. Marek"
	lOkoro    = "Matters/2024-0129 Okoro v Greenfield"
	lLumen    = "Matters/2024-0262 Lumen v. Brightline"
	lAlder    = "Matters/2024-0208 Fairhaven disrepair"
	lGrowth   = "Matters/2024-0133 Copperleaf Growth III"
	lMarlow   = "Matters/2024-0297 Marlow v. Copperleaf"
	lKelsall  = "Matters/C-2024-035 Ostara licence"
	lFern     = "Matters/2024-0270 Ostara Series B"
)

const (
	ecfAddr   = "ecf-notices@district-court.example"
	wexMarco  = "m.castellano@wexfordpine.example"
	dana      = "dana.whitcombe@acme.example"
	fenella   = "fenella.marsh@northwindfoods.example"
	jose      = "jose.mueller@mueller-maschinenbau.example"
	sorensen  = "h.sorensen@vantorgroup.example"
	amari     = "c.amari@brightwater-hotels.example"
	osei      = "r.osei@pellucid.example"
	june      = "june@hollisbakery.example"
	tideClaim = "claims@tidewater-marine.example"
	nair      = "p.nair@greenfield-trust.example"
	reyes     = "t.reyes@lumenoptics.example"
	quayle    = "m.quayle@fairhaven-ha.example"
	baptiste  = "l.baptiste@copperleaf.example"
	tanaka    = "b.tanaka@ostara-bio.example"
)

func l(s ...string) []string { return s }

var targets = []target{
	// Acme Widgets: four targets, one closed.
	{ID: "m-2024-0117", Number: "2024-0117", Title: "Acme Widgets, Inc. v. Beta Logistics LLC", Kind: "matter",
		Client: "acme", ClientName: "Acme Widgets, Inc.", Status: "open",
		OpposingParties: l("Beta Logistics LLC"),
		Participants:    l(dana, "r.ostrowski@acme.example", wexMarco, ecfAddr),
		Domains:         l("acme.example", "wexfordpine.example"),
		Aliases:         l("Acme v. Beta", "Beta Logistics", "3:24-cv-00117"),
		Keywords:        l("carriage agreement"),
		Labels:          l(lAcmeBeta)},
	{ID: "m-2024-0142", Number: "2024-0142", Title: "Acme – lease of the Dortmund harbour warehouse", Kind: "matter",
		Client: "acme", ClientName: "Acme Widgets, Inc.", Status: "open",
		OpposingParties: l("Rhein-Ruhr Immobilien GmbH"),
		Participants:    l(dana, "tom.berrigan@acme.example", "l.feldmann@rhein-ruhr-immobilien.example"),
		Domains:         l("acme.example", "rhein-ruhr-immobilien.example"),
		Aliases:         l("Dortmund warehouse", "Lagerhalle Dortmund"),
		Keywords:        l("Hafenstraße 12", "hall 3b"),
		Labels:          l(lAcmeDort)},
	{ID: "c-2024-031", Number: "C-2024-031", Title: "Acme / Corvid Parts – master supply agreement", Kind: "contract",
		Client: "acme", ClientName: "Acme Widgets, Inc.", Status: "open",
		OpposingParties: l("Corvid Parts Ltd"),
		Participants:    l(dana, "k.nakamura@acme.example", "g.obuya@corvidparts.example"),
		Domains:         l("acme.example", "corvidparts.example"),
		Aliases:         l("Corvid MSA"),
		Labels:          l(lCorvid)},
	{ID: "m-2023-0412", Number: "2023-0412", Title: "Acme – W-200 hinge recall (CPSC inquiry)", Kind: "matter",
		Client: "acme", ClientName: "Acme Widgets, Inc.", Status: "closed",
		Participants: l(dana),
		Domains:      l("acme.example"),
		Aliases:      l("W-200 recall"),
		Keywords:     l("W-200")},

	// Northwind Foods.
	{ID: "m-2024-0288", Number: "2024-0288", Title: "Northwind – opposition to the HARVEST MOON trade mark application", Kind: "matter",
		Client: "northwind", ClientName: "Northwind Foods Ltd", Status: "open",
		OpposingParties: l("Harvest Moon Provisions Ltd"),
		Participants:    l(fenella, "no-reply@tmregistry.example", "i.thorne@thorneashcroft.example"),
		Domains:         l("northwindfoods.example", "thorneashcroft.example"),
		Aliases:         l("HARVEST opposition", "OP000584127"),
		Keywords:        l("HARVEST MOON"),
		Labels:          l(lHarvest)},
	{ID: "m-2024-0301", Number: "2024-0301", Title: "Northwind Foods Ltd v. Coldline Haulage Ltd – spoiled consignment", Kind: "matter",
		Client: "northwind", ClientName: "Northwind Foods Ltd", Status: "open",
		OpposingParties: l("Coldline Haulage Ltd"),
		Participants:    l(fenella, "owen.pryce@northwindfoods.example", "r.hale@caldwellrooke.example"),
		Domains:         l("northwindfoods.example", "caldwellrooke.example"),
		Aliases:         l("Northwind v Coldline"),
		Keywords:        l("reefer logs"),
		Labels:          l(lColdline)},
	{ID: "c-2024-052", Number: "C-2024-052", Title: "Northwind – co-packing agreement with Brisk Kitchens", Kind: "contract",
		Client: "northwind", ClientName: "Northwind Foods Ltd", Status: "open",
		OpposingParties: l("Brisk Kitchens Ltd"),
		Participants:    l(fenella, "legal@briskkitchens.example"),
		Domains:         l("northwindfoods.example", "briskkitchens.example"),
		Aliases:         l("Brisk co-packing")},

	// Müller Maschinenbau.
	{ID: "m-2024-0203", Number: "2024-0203", Title: "Weber ./. Müller Maschinenbau – Kündigungsschutzklage", Kind: "matter",
		Client: "mueller", ClientName: "Müller Maschinenbau GmbH", Status: "open",
		OpposingParties: l("Jonas Weber"),
		Participants:    l(jose, "s.brandt@brandt-arbeitsrecht.example", "poststelle@arbg-frankfurt.example"),
		Domains:         l("mueller-maschinenbau.example", "brandt-arbeitsrecht.example"),
		Aliases:         l("Weber ./. Müller", "Kündigungsschutzklage Weber", "4 Ca 1187/24"),
		Labels:          l(lWeber)},
	{ID: "m-2024-0266", Number: "2024-0266", Title: "Müller – Betriebsvereinbarung Kurzarbeit", Kind: "matter",
		Client: "mueller", ClientName: "Müller Maschinenbau GmbH", Status: "open",
		Participants: l(jose, "betriebsrat@mueller-maschinenbau.example"),
		Domains:      l("mueller-maschinenbau.example"),
		Aliases:      l("Betriebsvereinbarung Kurzarbeit"),
		Keywords:     l("Kurzarbeit")},
	{ID: "c-2024-047", Number: "C-2024-047", Title: "Müller / Alpenland – Vertriebsvertrag", Kind: "contract",
		Client: "mueller", ClientName: "Müller Maschinenbau GmbH", Status: "open",
		OpposingParties: l("Alpenland Handels AG"),
		Participants:    l(jose, "zoe.hartmann@mueller-maschinenbau.example", "m.huber@alpenland-handel.example"),
		Domains:         l("mueller-maschinenbau.example", "alpenland-handel.example"),
		Aliases:         l("Vertriebsvertrag Alpenland"),
		Labels:          l(lAlpen)},

	// Vantor Group: two clients, one mail domain.
	{ID: "m-2024-0155", Number: "2024-0155", Title: "Vantor Freight – Felixstowe warehouse fire insurance claim", Kind: "matter",
		Client: "vantor-freight", ClientName: "Vantor Freight Ltd", Status: "open",
		OpposingParties: l("Kestrel Mutual Insurance plc"),
		Participants:    l(sorensen, "n.adebayo@vantorgroup.example", "claims@kestrelmutual.example"),
		Domains:         l("vantorgroup.example", "kestrelmutual.example"),
		Aliases:         l("Felixstowe fire"),
		Keywords:        l("Felixstowe"),
		Labels:          l(lFelix)},
	{ID: "c-2024-069", Number: "C-2024-069", Title: "Vantor Freight – fleet lease with Calder Truck Rental", Kind: "contract",
		Client: "vantor-freight", ClientName: "Vantor Freight Ltd", Status: "open",
		OpposingParties: l("Calder Truck Rental Ltd"),
		Participants:    l(sorensen, "leasing@caldertrucks.example"),
		Domains:         l("vantorgroup.example", "caldertrucks.example"),
		Aliases:         l("Calder fleet lease")},
	{ID: "m-2024-0219", Number: "2024-0219", Title: "Vantor Energy v. Solberg Wind AS – PPA price dispute", Kind: "matter",
		Client: "vantor-energy", ClientName: "Vantor Energy Ltd", Status: "open",
		OpposingParties: l("Solberg Wind AS"),
		Participants:    l(sorensen, "p.lindgren@vantorgroup.example", "e.marsh@caldwellrooke.example"),
		Domains:         l("vantorgroup.example", "caldwellrooke.example"),
		Aliases:         l("Solberg PPA"),
		Keywords:        l("Solberg"),
		Labels:          l(lSolberg)},
	{ID: "c-2024-074", Number: "C-2024-074", Title: "Vantor Energy – O&M agreement for the Hollowmere solar park", Kind: "contract",
		Client: "vantor-energy", ClientName: "Vantor Energy Ltd", Status: "open",
		Participants: l(sorensen),
		Domains:      l("vantorgroup.example"),
		Keywords:     l("Hollowmere")},

	// A private client who writes from public webmail.
	{ID: "m-2024-0190", Number: "2024-0190", Title: "Estate of Harold Ellery – will contest", Kind: "matter",
		Client: "ellery", ClientName: "Margaret Ellery", Status: "open",
		OpposingParties: l("Simon Ellery"),
		Participants:    l("margaret.ellery@gmail.example", "t.voss@kesslervoss.example"),
		Domains:         l("kesslervoss.example"),
		Aliases:         l("Estate of Harold Ellery"),
		Keywords:        l("Rookery Cottage"),
		Labels:          l(lEllery)},

	// Brightwater Hotels.
	{ID: "m-2024-0231", Number: "2024-0231", Title: "Brightwater – acquisition of the Seagrove Hotel, Brighton", Kind: "matter",
		Client: "brightwater", ClientName: "Brightwater Hotels plc", Status: "open",
		OpposingParties: l("Seagrove Leisure Ltd"),
		Participants:    l(amari, "deals@hallettpartners.example"),
		Domains:         l("brightwater-hotels.example", "hallettpartners.example"),
		Aliases:         l("Project Gull"),
		Keywords:        l("Seagrove"),
		Labels:          l(lGull),
		Walled:          l("emil@harperlegal.example")},
	{ID: "c-2024-058", Number: "C-2024-058", Title: "Brightwater – hotel management agreement with Larchmont Hospitality", Kind: "contract",
		Client: "brightwater", ClientName: "Brightwater Hotels plc", Status: "open",
		OpposingParties: l("Larchmont Hospitality Group"),
		Participants:    l(amari, "d.coyle@larchmont-hospitality.example"),
		Domains:         l("brightwater-hotels.example", "larchmont-hospitality.example"),
		Aliases:         l("Larchmont HMA"),
		Keywords:        l("Larchmont")},
	{ID: "m-2024-0329", Number: "2024-0329", Title: "Brightwater – premises licence variation, Marina Bay Hotel", Kind: "matter",
		Client: "brightwater", ClientName: "Brightwater Hotels plc", Status: "open",
		Participants: l(amari),
		Domains:      l("brightwater-hotels.example"),
		Keywords:     l("Marina Bay Hotel")},

	// Pellucid Software.
	{ID: "m-2024-0175", Number: "2024-0175", Title: "Pellucid Software, Inc. v. Ivan Marek – trade secrets", Kind: "matter",
		Client: "pellucid", ClientName: "Pellucid Software, Inc.", Status: "open",
		OpposingParties: l("Ivan Marek"),
		Participants:    l(osei, ecfAddr, "a.finch@caldwellrooke.example"),
		Domains:         l("pellucid.example", "caldwellrooke.example"),
		Aliases:         l("Pellucid v. Marek", "1:24-cv-00561"),
		Keywords:        l("Project Lantern"),
		Labels:          l(lMarek)},
	{ID: "c-2024-039", Number: "C-2024-039", Title: "Pellucid – reseller agreement with Nordlicht IT GmbH", Kind: "contract",
		Client: "pellucid", ClientName: "Pellucid Software, Inc.", Status: "open",
		OpposingParties: l("Nordlicht IT GmbH"),
		Participants:    l(osei, "s.kaur@pellucid.example", "vertrag@nordlicht-it.example"),
		Domains:         l("pellucid.example", "nordlicht-it.example"),
		Aliases:         l("Nordlicht reseller agreement")},

	// Hollis & Daughters: one closed.
	{ID: "m-2023-0388", Number: "2023-0388", Title: "Hollis & Daughters – renewal of the Mill Lane shop lease", Kind: "matter",
		Client: "hollis", ClientName: "Hollis & Daughters Ltd", Status: "closed",
		Participants: l(june),
		Domains:      l("hollisbakery.example"),
		Keywords:     l("Mill Lane")},
	{ID: "m-2024-0251", Number: "2024-0251", Title: "Hollis & Daughters v. Granary Mills Ltd – supply dispute", Kind: "matter",
		Client: "hollis", ClientName: "Hollis & Daughters Ltd", Status: "open",
		OpposingParties: l("Granary Mills Ltd"),
		Participants:    l(june),
		Domains:         l("hollisbakery.example"),
		Aliases:         l("Granary Mills")},

	// Tidewater Marine: one closed.
	{ID: "m-2023-0451", Number: "2023-0451", Title: "Tidewater – cargo claim, MV Aurelia", Kind: "matter",
		Client: "tidewater", ClientName: "Tidewater Marine Ltd", Status: "closed",
		Participants: l(tideClaim),
		Domains:      l("tidewater-marine.example"),
		Aliases:      l("MV Aurelia")},
	{ID: "m-2024-0244", Number: "2024-0244", Title: "Tidewater v. Solent Star Shipping – charterparty arbitration", Kind: "matter",
		Client: "tidewater", ClientName: "Tidewater Marine Ltd", Status: "open",
		OpposingParties: l("Solent Star Shipping Ltd"),
		Participants:    l(tideClaim, "f.dunmore@tidewater-marine.example", "j.achterberg@caldwellrooke.example"),
		Domains:         l("tidewater-marine.example", "caldwellrooke.example"),
		Aliases:         l("MV Solent Star", "LMAA 24/118")},
	{ID: "c-2024-071", Number: "C-2024-071", Title: "Tidewater – ship management agreement, MV Corran", Kind: "contract",
		Client: "tidewater", ClientName: "Tidewater Marine Ltd", Status: "open",
		Participants: l("fleet@tidewater-marine.example"),
		Domains:      l("tidewater-marine.example"),
		Aliases:      l("MV Corran")},

	// Greenfield Schools Trust.
	{ID: "m-2024-0129", Number: "2024-0129", Title: "Okoro v Greenfield Schools Trust – employment tribunal", Kind: "matter",
		Client: "greenfield", ClientName: "Greenfield Schools Trust", Status: "open",
		OpposingParties: l("Daniel Okoro"),
		Participants:    l(nair, "p.lyle@ashbylorne.example", "londoncentral.et@tribunals.example"),
		Domains:         l("greenfield-trust.example", "ashbylorne.example"),
		Aliases:         l("Okoro v Greenfield", "2204117/2024"),
		Labels:          l(lOkoro)},
	{ID: "m-2024-0279", Number: "2024-0279", Title: "Greenfield – personal data breach at Ashcombe Primary", Kind: "matter",
		Client: "greenfield", ClientName: "Greenfield Schools Trust", Status: "open",
		Participants: l(nair, "casework@ico-office.example"),
		Domains:      l("greenfield-trust.example"),
		Keywords:     l("Ashcombe Primary")},
	{ID: "c-2024-044", Number: "C-2024-044", Title: "Greenfield – school catering framework agreement", Kind: "contract",
		Client: "greenfield", ClientName: "Greenfield Schools Trust", Status: "open",
		OpposingParties: l("Mealwise Ltd"),
		Participants:    l("procurement@greenfield-trust.example", "bids@mealwise.example"),
		Domains:         l("greenfield-trust.example", "mealwise.example"),
		Aliases:         l("catering framework")},

	// Lumen Optics.
	{ID: "m-2024-0262", Number: "2024-0262", Title: "Lumen Optics, Inc. v. Brightline Photonics, Inc. – patent infringement", Kind: "matter",
		Client: "lumen", ClientName: "Lumen Optics, Inc.", Status: "open",
		OpposingParties: l("Brightline Photonics, Inc."),
		Participants:    l(reyes, "h.quist@wexfordpine.example", ecfAddr),
		Domains:         l("lumenoptics.example", "wexfordpine.example"),
		Aliases:         l("Lumen v. Brightline", "1:24-cv-02291"),
		Keywords:        l("'213 patent"),
		Labels:          l(lLumen)},
	{ID: "c-2024-063", Number: "C-2024-063", Title: "Lumen – patent licence to Korva Instruments", Kind: "contract",
		Client: "lumen", ClientName: "Lumen Optics, Inc.", Status: "open",
		OpposingParties: l("Korva Instruments AB"),
		Participants:    l(reyes, "licensing@korva.example"),
		Domains:         l("lumenoptics.example", "korva.example"),
		Aliases:         l("Korva licence"),
		Keywords:        l("Korva")},
	{ID: "m-2024-0322", Number: "2024-0322", Title: "Lumen – export classification of the LX-9 module", Kind: "matter",
		Client: "lumen", ClientName: "Lumen Optics, Inc.", Status: "open",
		Participants: l(reyes),
		Domains:      l("lumenoptics.example"),
		Keywords:     l("LX-9")},

	// Fairhaven Housing Association.
	{ID: "m-2024-0208", Number: "2024-0208", Title: "Fairhaven – disrepair claims, Alder Court", Kind: "matter",
		Client: "fairhaven", ClientName: "Fairhaven Housing Association", Status: "open",
		Participants: l(quayle, "claims@redfern-law.example"),
		Domains:      l("fairhaven-ha.example", "redfern-law.example"),
		Keywords:     l("Alder Court"),
		Labels:       l(lAlder)},
	{ID: "m-2024-0316", Number: "2024-0316", Title: "Fairhaven – service charge application, Beech House", Kind: "matter",
		Client: "fairhaven", ClientName: "Fairhaven Housing Association", Status: "open",
		Participants: l(quayle, "rpt.london@tribunals.example"),
		Domains:      l("fairhaven-ha.example"),
		Keywords:     l("Beech House")},
	{ID: "c-2024-061", Number: "C-2024-061", Title: "Fairhaven – roofing works framework agreement", Kind: "contract",
		Client: "fairhaven", ClientName: "Fairhaven Housing Association", Status: "open",
		OpposingParties: l("Apex Roofing Ltd"),
		Participants:    l(quayle, "tenders@apexroofing.example"),
		Domains:         l("fairhaven-ha.example", "apexroofing.example"),
		Aliases:         l("roofing framework")},

	// Copperleaf Capital.
	{ID: "m-2024-0133", Number: "2024-0133", Title: "Copperleaf Growth III – fund formation", Kind: "matter",
		Client: "copperleaf", ClientName: "Copperleaf Capital LLC", Status: "open",
		Participants: l(baptiste),
		Domains:      l("copperleaf.example"),
		Aliases:      l("Copperleaf Growth III"),
		Keywords:     l("Growth III"),
		Labels:       l(lGrowth)},
	{ID: "m-2024-0297", Number: "2024-0297", Title: "Marlow Family Office v. Copperleaf Capital – investor dispute", Kind: "matter",
		Client: "copperleaf", ClientName: "Copperleaf Capital LLC", Status: "open",
		OpposingParties: l("Marlow Family Office"),
		Participants:    l(baptiste, wexMarco),
		Domains:         l("copperleaf.example", "wexfordpine.example"),
		Aliases:         l("Marlow dispute"),
		Labels:          l(lMarlow),
		Walled:          l("devika@harperlegal.example")},
	{ID: "c-2024-066", Number: "C-2024-066", Title: "Copperleaf – side letter with the Eastmoor Pension Scheme", Kind: "contract",
		Client: "copperleaf", ClientName: "Copperleaf Capital LLC", Status: "open",
		OpposingParties: l("Eastmoor Pension Scheme"),
		Participants:    l(baptiste, "trustees@eastmoor-pension.example"),
		Domains:         l("copperleaf.example", "eastmoor-pension.example"),
		Aliases:         l("Eastmoor side letter")},

	// Ostara Biotech.
	{ID: "c-2024-035", Number: "C-2024-035", Title: "Ostara – licence agreement with Kelsall University", Kind: "contract",
		Client: "ostara", ClientName: "Ostara Biotech, Inc.", Status: "open",
		OpposingParties: l("Kelsall University"),
		Participants:    l(tanaka, "tto@kelsall-university.example"),
		Domains:         l("ostara-bio.example", "kelsall-university.example"),
		Aliases:         l("Kelsall licence"),
		Labels:          l(lKelsall)},
	{ID: "m-2024-0270", Number: "2024-0270", Title: "Ostara – Series B financing", Kind: "matter",
		Client: "ostara", ClientName: "Ostara Biotech, Inc.", Status: "open",
		Participants: l(tanaka, "n.brooks@fernhillvc.example"),
		Domains:      l("ostara-bio.example", "fernhillvc.example"),
		Aliases:      l("Project Fern"),
		Keywords:     l("Series B"),
		Labels:       l(lFern)},
	{ID: "m-2024-0285", Number: "2024-0285", Title: "Ostara – 2024 share option plan", Kind: "matter",
		Client: "ostara", ClientName: "Ostara Biotech, Inc.", Status: "open",
		Participants: l(tanaka),
		Domains:      l("ostara-bio.example"),
		Keywords:     l("share option plan")},
}

func targetByID(id string) *target {
	for i := range targets {
		if targets[i].ID == id {
			return &targets[i]
		}
	}
	return nil
}

func targetOfLabel(label string) *target {
	for i := range targets {
		for _, tl := range targets[i].Labels {
			if tl == label {
				return &targets[i]
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// People. tz is one of ny, chi (US Central), lon, cet; lang "de" makes a
// person quote in German and, with outlook, answer with AW:/WG:.

type person struct {
	key, name, addr, tz, lang string
	outlook                   bool // Outlook-style Message-ID, AW:/WG: when German
	alt                       bool // sends multipart/alternative by default
	sig                       string
}

var people = []*person{
	// The firm.
	{key: "alice", name: "Alice Harper", addr: "alice@harperlegal.example", tz: "ny",
		sig: "Alice Harper\nPartner | Harper Legal LLP\n200 Varick Street, New York, NY 10014\n+1 212 555 0188"},
	{key: "ben", name: "Ben Okafor", addr: "ben@harperlegal.example", tz: "lon",
		sig: "Ben Okafor\nSenior Associate | Harper Legal LLP\n14 Bread Street, London EC4M 9AJ\n+44 20 7946 0321"},
	{key: "chloe", name: "Chloe Lindqvist", addr: "chloe@harperlegal.example", tz: "cet", lang: "de",
		sig: "Chloe Lindqvist\nCounsel | Harper Legal LLP\nTaunusanlage 8, 60329 Frankfurt am Main\n+49 69 9441 2730"},
	{key: "devika", name: "Devika Rao", addr: "devika@harperlegal.example", tz: "lon",
		sig: "Devika Rao\nAssociate | Harper Legal LLP\n14 Bread Street, London EC4M 9AJ\n+44 20 7946 0374"},
	{key: "emil", name: "Emil Sandberg", addr: "emil@harperlegal.example", tz: "ny",
		sig: "Emil Sandberg\nPartner, Corporate & Funds | Harper Legal LLP\n200 Varick Street, New York, NY 10014\n+1 212 555 0161"},
	{key: "rosa", name: "Rosa Delgado", addr: "rosa.delgado@harperlegal.example", tz: "ny",
		sig: "Rosa Delgado\nSenior Paralegal | Harper Legal LLP\n+1 212 555 0193"},
	{key: "sam", name: "Sam Whitley", addr: "sam.whitley@harperlegal.example", tz: "lon",
		sig: "Sam Whitley\nTrainee Solicitor | Harper Legal LLP\n+44 20 7946 0399"},
	{key: "ruth", name: "Ruth Calloway", addr: "ruth.calloway@harperlegal.example", tz: "lon",
		sig: "Ruth Calloway\nPartner, Corporate Real Estate | Harper Legal LLP\n+44 20 7946 0302"},
	{key: "risk", name: "Harper Legal Risk & Compliance", addr: "risk@harperlegal.example", tz: "lon",
		sig: "Risk & Compliance | Harper Legal LLP\nThis notice is confidential to the firm. Do not forward outside the firm."},
	{key: "partners", name: "All Partners", addr: "all-partners@harperlegal.example", tz: "lon"},
	{key: "accounts", name: "Harper Legal Accounts", addr: "accounts@harperlegal.example", tz: "ny",
		sig: "Accounts Department | Harper Legal LLP"},
	{key: "it", name: "HL IT Service Desk", addr: "servicedesk@harperlegal.example", tz: "lon",
		sig: "HL IT Service Desk | ext. 4357"},
	{key: "facilitiesny", name: "Harper Legal Facilities", addr: "facilities@harperlegal.example", tz: "ny",
		sig: "Facilities | Harper Legal LLP, New York"},
	{key: "facilitieslon", name: "Bread Street Office", addr: "office.london@harperlegal.example", tz: "lon",
		sig: "Office Services | Harper Legal LLP, London"},
	{key: "frankoffice", name: "Harper Legal Frankfurt", addr: "frankfurt.office@harperlegal.example", tz: "cet", lang: "de",
		sig: "Office Management | Harper Legal LLP, Frankfurt"},
	{key: "records", name: "HL Records Centre", addr: "records@harperlegal.example", tz: "lon",
		sig: "Records Centre | Harper Legal LLP"},
	{key: "people", name: "Harper Legal People Team", addr: "people@harperlegal.example", tz: "lon",
		sig: "People Team | Harper Legal LLP"},
	{key: "scanner", name: "HL-MFP-3F", addr: "scanner@harperlegal.example", tz: "lon"},
	{key: "scannerny", name: "HL-MFP-NY2", addr: "scanner.ny@harperlegal.example", tz: "ny"},

	// Acme Widgets.
	{key: "dana", name: "Dana Whitcombe", addr: dana, tz: "chi", alt: true,
		sig: "Dana Whitcombe\nGeneral Counsel | Acme Widgets, Inc.\n+1 312 555 0107"},
	{key: "tom", name: "Tom Berrigan", addr: "tom.berrigan@acme.example", tz: "cet", outlook: true,
		sig: "Tom Berrigan\nDirector Real Estate EMEA | Acme Widgets, Inc.\n+49 231 555 8120"},
	{key: "kenji", name: "Kenji Nakamura", addr: "k.nakamura@acme.example", tz: "chi", outlook: true,
		sig: "Kenji Nakamura\nSenior Manager, Strategic Sourcing | Acme Widgets, Inc."},
	{key: "rick", name: "Rick Ostrowski", addr: "r.ostrowski@acme.example", tz: "chi", outlook: true,
		sig: "Rick Ostrowski\nProcurement Manager | Acme Widgets, Inc."},
	{key: "marco", name: "Marco Castellano", addr: wexMarco, tz: "ny", outlook: true,
		sig: "Marco Castellano\nWexford & Pine LLP\n1 Liberty Plaza, New York, NY 10006\n+1 212 555 0440"},
	{key: "quist", name: "Hannah Quist", addr: "h.quist@wexfordpine.example", tz: "ny", outlook: true,
		sig: "Hannah Quist\nWexford & Pine LLP\n+1 212 555 0457"},
	{key: "ecf", name: "ECF Notices", addr: ecfAddr, tz: "ny"},
	{key: "ecfto", name: "", addr: "ecf-recipients@district-court.example", tz: "ny"},
	{key: "lukas", name: "Lukas Feldmann", addr: "l.feldmann@rhein-ruhr-immobilien.example", tz: "cet", lang: "de", outlook: true,
		sig: "Lukas Feldmann\nAsset Management\nRhein-Ruhr Immobilien GmbH, Dortmund"},
	{key: "grace", name: "Grace Obuya", addr: "g.obuya@corvidparts.example", tz: "lon", outlook: true,
		sig: "Grace Obuya\nHead of Legal | Corvid Parts Ltd"},
	{key: "lcarter", name: "Liam Carter", addr: "l.carter@corvidparts.example", tz: "lon", outlook: true,
		sig: "Liam Carter\nCommercial Manager | Corvid Parts Ltd"},
	{key: "mediator", name: "Resolution Partners Case Administration", addr: "caseadmin@resolutionpartners.example", tz: "ny",
		sig: "Case Administration | Resolution Partners ADR"},
	{key: "vendor", name: "Quillfield Discovery", addr: "quotes@quillfield-ediscovery.example", tz: "ny"},

	// Northwind Foods.
	{key: "fenella", name: "Fenella Marsh", addr: fenella, tz: "lon", alt: true,
		sig: "Fenella Marsh\nLegal Director | Northwind Foods Ltd"},
	{key: "owen", name: "Owen Pryce", addr: "owen.pryce@northwindfoods.example", tz: "lon", outlook: true,
		sig: "Owen Pryce\nLogistics Manager | Northwind Foods Ltd"},
	{key: "tmreg", name: "Trade Mark Registry", addr: "no-reply@tmregistry.example", tz: "lon"},
	{key: "thorne", name: "Imogen Thorne", addr: "i.thorne@thorneashcroft.example", tz: "lon",
		sig: "Imogen Thorne\nPartner | Thorne Ashcroft LLP"},
	{key: "rhale", name: "Rachel Hale", addr: "r.hale@caldwellrooke.example", tz: "lon", outlook: true,
		sig: "Rachel Hale\nSenior Associate | Caldwell Rooke LLP"},
	{key: "brisk", name: "Brisk Kitchens Legal", addr: "legal@briskkitchens.example", tz: "lon",
		sig: "Legal Team | Brisk Kitchens Ltd"},

	// Müller Maschinenbau.
	{key: "jose", name: "José Müller", addr: jose, tz: "cet", lang: "de", outlook: true,
		sig: "José Müller\nLeiter Personal & Recht | Müller Maschinenbau GmbH\nIndustriestraße 4, 61440 Oberursel"},
	{key: "sekr", name: "Sekretariat Geschäftsführung", addr: "sekretariat@mueller-maschinenbau.example", tz: "cet", lang: "de", outlook: true,
		sig: "Sekretariat der Geschäftsführung\nMüller Maschinenbau GmbH\nTel. +49 69 2024-0117\nFax +49 69 2024-0199"},
	{key: "zoe", name: "Zoë Hartmann", addr: "zoe.hartmann@mueller-maschinenbau.example", tz: "cet", lang: "de", outlook: true,
		sig: "Zoë Hartmann\nVertrieb Export | Müller Maschinenbau GmbH"},
	{key: "betriebsrat", name: "Betriebsrat Müller Maschinenbau", addr: "betriebsrat@mueller-maschinenbau.example", tz: "cet", lang: "de", outlook: true,
		sig: "Für den Betriebsrat\nKarin Vogt, Vorsitzende"},
	{key: "brandt", name: "Sabine Brandt", addr: "s.brandt@brandt-arbeitsrecht.example", tz: "cet", lang: "de", outlook: true,
		sig: "Sabine Brandt\nRechtsanwältin, Fachanwältin für Arbeitsrecht\nBrandt Arbeitsrecht, Frankfurt am Main"},
	{key: "arbg", name: "Arbeitsgericht Frankfurt am Main", addr: "poststelle@arbg-frankfurt.example", tz: "cet", lang: "de"},
	{key: "huber", name: "Martina Huber", addr: "m.huber@alpenland-handel.example", tz: "cet", lang: "de", outlook: true,
		sig: "Mag. Martina Huber\nRechtsabteilung | Alpenland Handels AG, Wien"},

	// Vantor Group.
	{key: "sorensen", name: "Helle Sørensen", addr: sorensen, tz: "lon", outlook: true,
		sig: "Helle Sørensen\nGroup General Counsel | Vantor Group\n+44 20 7946 0555"},
	{key: "adebayo", name: "Nia Adebayo", addr: "n.adebayo@vantorgroup.example", tz: "lon", outlook: true,
		sig: "Nia Adebayo\nOperations Director | Vantor Freight Ltd"},
	{key: "lindgren", name: "Per Lindgren", addr: "p.lindgren@vantorgroup.example", tz: "lon", outlook: true,
		sig: "Per Lindgren\nHead of Trading | Vantor Energy Ltd"},
	{key: "vgap", name: "Vantor Group Accounts Payable", addr: "ap@vantorgroup.example", tz: "lon", outlook: true,
		sig: "Accounts Payable | Vantor Group Shared Services"},
	{key: "vglegal", name: "Vantor Group Legal", addr: "legal@vantorgroup.example", tz: "lon", outlook: true,
		sig: "Vantor Group Legal\nCompany Secretariat"},
	{key: "kestrel", name: "Kestrel Mutual Claims", addr: "claims@kestrelmutual.example", tz: "lon",
		sig: "Major Loss Team | Kestrel Mutual Insurance plc"},
	{key: "kvogel", name: "Markus Vogel", addr: "m.vogel@kestrelmutual.example", tz: "cet", outlook: true,
		sig: "Markus Vogel\nMajor Loss Adjuster | Kestrel Mutual Insurance plc, Frankfurt Branch\nTel. +49 69 2024 0117"},
	{key: "emarsh", name: "Edward Marsh", addr: "e.marsh@caldwellrooke.example", tz: "lon", outlook: true,
		sig: "Edward Marsh\nPartner | Caldwell Rooke LLP"},
	{key: "calder", name: "Calder Truck Rental", addr: "leasing@caldertrucks.example", tz: "lon",
		sig: "Contract Hire Team | Calder Truck Rental Ltd"},

	// Ellery and webmail users.
	{key: "margaret", name: "Margaret Ellery", addr: "margaret.ellery@gmail.example", tz: "ny"},
	{key: "tvoss", name: "Thomas Voss", addr: "t.voss@kesslervoss.example", tz: "ny", outlook: true,
		sig: "Thomas Voss\nKessler & Voss LLP\nTrusts & Estates Litigation"},
	{key: "maggie", name: "Maggie Dunmore", addr: "maggie.dunmore@gmail.example", tz: "ny"},
	{key: "arjun", name: "Arjun Rao", addr: "arjun.rao@gmail.example", tz: "lon"},
	{key: "lmoreau", name: "Luc Moreau", addr: "l.moreau.dev@gmail.example", tz: "ny"},
	{key: "okoro", name: "Daniel Okoro", addr: "d.okoro88@gmail.example", tz: "lon"},

	// Brightwater.
	{key: "camari", name: "Chiara Amari", addr: amari, tz: "lon", alt: true,
		sig: "Chiara Amari\nGeneral Counsel | Brightwater Hotels plc"},
	{key: "hallett", name: "Oliver Hallett", addr: "o.hallett@hallettpartners.example", tz: "lon", outlook: true,
		sig: "Oliver Hallett\nPartner | Hallett Partners"},
	{key: "larchmont", name: "Dean Coyle", addr: "d.coyle@larchmont-hospitality.example", tz: "lon", outlook: true,
		sig: "Dean Coyle\nVP Development | Larchmont Hospitality Group"},

	// Pellucid.
	{key: "osei", name: "Richard Osei", addr: osei, tz: "ny", alt: true,
		sig: "Richard Osei\nGeneral Counsel | Pellucid Software, Inc."},
	{key: "kaur", name: "Simran Kaur", addr: "s.kaur@pellucid.example", tz: "cet",
		sig: "Simran Kaur\nChannel Director DACH | Pellucid Software, Inc."},
	{key: "finch", name: "Adam Finch", addr: "a.finch@caldwellrooke.example", tz: "ny", outlook: true,
		sig: "Adam Finch\nCaldwell Rooke LLP, New York"},
	{key: "petersen", name: "Jan Petersen", addr: "j.petersen@nordlicht-it.example", tz: "cet", outlook: true,
		sig: "Jan Petersen\nGeschäftsführer | Nordlicht IT GmbH, Hamburg"},

	// Hollis, Tidewater.
	{key: "june", name: "June Hollis", addr: june, tz: "lon",
		sig: "June Hollis\nHollis & Daughters – bakers since 1952"},
	{key: "tide", name: "Tidewater Claims", addr: tideClaim, tz: "lon", outlook: true,
		sig: "Claims & Legal | Tidewater Marine Ltd"},
	{key: "fdunmore", name: "Fergus Dunmore", addr: "f.dunmore@tidewater-marine.example", tz: "lon", outlook: true,
		sig: "Fergus Dunmore\nChartering Manager | Tidewater Marine Ltd"},
	{key: "tidefleet", name: "Tidewater Fleet Management", addr: "fleet@tidewater-marine.example", tz: "lon", outlook: true,
		sig: "Fleet Management | Tidewater Marine Ltd"},
	{key: "achterberg", name: "Joost Achterberg", addr: "j.achterberg@caldwellrooke.example", tz: "lon", outlook: true,
		sig: "Joost Achterberg\nPartner, Shipping | Caldwell Rooke LLP"},

	// Greenfield.
	{key: "nair", name: "Priya Nair", addr: nair, tz: "lon", outlook: true,
		sig: "Priya Nair\nDirector of People | Greenfield Schools Trust"},
	{key: "greenproc", name: "Greenfield Procurement", addr: "procurement@greenfield-trust.example", tz: "lon", outlook: true,
		sig: "Procurement Team | Greenfield Schools Trust"},
	{key: "lyle", name: "Patrick Lyle", addr: "p.lyle@ashbylorne.example", tz: "lon", outlook: true,
		sig: "Patrick Lyle\nAshby Lorne Solicitors"},
	{key: "acole", name: "Amira Cole", addr: "a.cole@ashbylorne.example", tz: "lon", outlook: true,
		sig: "Amira Cole\nParalegal | Ashby Lorne Solicitors"},
	{key: "et", name: "London Central Employment Tribunal", addr: "londoncentral.et@tribunals.example", tz: "lon"},
	{key: "ico", name: "ICO Casework", addr: "casework@ico-office.example", tz: "lon"},
	{key: "mealwise", name: "Mealwise Bids", addr: "bids@mealwise.example", tz: "lon",
		sig: "Bid Team | Mealwise Ltd"},

	// Lumen.
	{key: "reyes", name: "Tomás Reyes", addr: reyes, tz: "ny", alt: true,
		sig: "Tomás Reyes\nIP Counsel | Lumen Optics, Inc."},
	{key: "korva", name: "Korva Licensing", addr: "licensing@korva.example", tz: "cet",
		sig: "Licensing | Korva Instruments AB, Uppsala"},

	// Fairhaven.
	{key: "quayle", name: "Martin Quayle", addr: quayle, tz: "lon", outlook: true,
		sig: "Martin Quayle\nHead of Legal Services | Fairhaven Housing Association"},
	{key: "redfern", name: "Redfern Law Housing Team", addr: "claims@redfern-law.example", tz: "lon",
		sig: "Housing Disrepair Team | Redfern Law"},
	{key: "rpt", name: "First-tier Tribunal (Property Chamber)", addr: "rpt.london@tribunals.example", tz: "lon"},
	{key: "apex", name: "Apex Roofing Tenders", addr: "tenders@apexroofing.example", tz: "lon",
		sig: "Bid Manager | Apex Roofing Ltd"},
	{key: "landreg", name: "Land Registry Portal", addr: "noreply@landregistry-portal.example", tz: "lon"},

	// Copperleaf, Ostara.
	{key: "baptiste", name: "Lucie Baptiste", addr: baptiste, tz: "ny",
		sig: "Lucie Baptiste\nChief Legal Officer | Copperleaf Capital LLC"},
	{key: "eastmoor", name: "Eastmoor Pension Trustees", addr: "trustees@eastmoor-pension.example", tz: "lon",
		sig: "Secretary to the Trustees | Eastmoor Pension Scheme"},
	{key: "tanaka", name: "Beth Tanaka", addr: tanaka, tz: "ny", alt: true,
		sig: "Beth Tanaka\nVP Legal | Ostara Biotech, Inc."},
	{key: "kelsall", name: "Kelsall Technology Transfer", addr: "tto@kelsall-university.example", tz: "lon",
		sig: "Technology Transfer Office | Kelsall University"},
	{key: "fernhill", name: "Nadia Brooks", addr: "n.brooks@fernhillvc.example", tz: "ny",
		sig: "Nadia Brooks\nPartner | Fernhill Ventures"},

	// Staff of firms and companies on one target who are not listed as
	// participants themselves.
	{key: "pike", name: "James Pike", addr: "j.pike@thorneashcroft.example", tz: "lon",
		sig: "James Pike\nAssociate | Thorne Ashcroft LLP"},
	{key: "ortiz", name: "Nina Ortiz", addr: "n.ortiz@kesslervoss.example", tz: "ny", outlook: true,
		sig: "Nina Ortiz\nParalegal | Kessler & Voss LLP"},
	{key: "oduya", name: "Kemi Oduya", addr: "k.oduya@mealwise.example", tz: "lon",
		sig: "Kemi Oduya\nMobilisation Manager | Mealwise Ltd"},
	{key: "whitfield", name: "Jo Whitfield", addr: "j.whitfield@apexroofing.example", tz: "lon",
		sig: "Jo Whitfield\nCommercial Manager | Apex Roofing Ltd"},
	{key: "kowal", name: "Marta Kowal", addr: "m.kowal@briskkitchens.example", tz: "lon",
		sig: "Marta Kowal\nCommercial Director | Brisk Kitchens Ltd"},
	{key: "doyle", name: "Rob Doyle", addr: "r.doyle@caldertrucks.example", tz: "lon", outlook: true,
		sig: "Rob Doyle\nFleet Delivery | Calder Truck Rental Ltd"},
	{key: "shah", name: "Meera Shah", addr: "m.shah@redfern-law.example", tz: "lon", outlook: true,
		sig: "Meera Shah\nCosts Lawyer | Redfern Law"},
	{key: "corvidacc", name: "Corvid Parts Accounts", addr: "accounts@corvidparts.example", tz: "lon", outlook: true,
		sig: "Accounts Receivable | Corvid Parts Ltd"},
	{key: "kanzleibrandt", name: "Kanzlei Brandt", addr: "kanzlei@brandt-arbeitsrecht.example", tz: "cet", lang: "de", outlook: true,
		sig: "Sekretariat RAin Brandt\nBrandt Arbeitsrecht, Frankfurt am Main"},
	{key: "alpenbuch", name: "Alpenland Buchhaltung", addr: "buchhaltung@alpenland-handel.example", tz: "cet", lang: "de", outlook: true,
		sig: "Buchhaltung | Alpenland Handels AG, Wien"},
	{key: "kpatel", name: "Sunil Patel", addr: "s.patel@kestrelmutual.example", tz: "lon",
		sig: "Sunil Patel\nClaims Technician | Kestrel Mutual Insurance plc"},
	{key: "larchlegal", name: "Larchmont Legal", addr: "legal@larchmont-hospitality.example", tz: "lon", outlook: true,
		sig: "Legal Department | Larchmont Hospitality Group"},
	{key: "ruiz", name: "Ana Ruiz", addr: "a.ruiz@fernhillvc.example", tz: "ny",
		sig: "Ana Ruiz\nVP Finance | Fernhill Ventures"},
	{key: "kelsallfin", name: "Kelsall University Finance", addr: "finance@kelsall-university.example", tz: "lon",
		sig: "Finance Office | Kelsall University"},
	{key: "eastadv", name: "Eastmoor Scheme Adviser", addr: "adviser@eastmoor-pension.example", tz: "lon",
		sig: "Investment Adviser to the Trustees | Eastmoor Pension Scheme"},

	// Not matter-related.
	{key: "legalwire", name: "Litigation Daily", addr: "newsletter@legalwire.example", tz: "ny"},
	{key: "cle", name: "Bar Association CLE", addr: "cle@barassociation.example", tz: "ny"},
	{key: "lawsoc", name: "Law Society Updates", addr: "updates@lawsociety-news.example", tz: "lon"},
	{key: "deskmate", name: "Deskmate Office Supplies", addr: "orders@deskmate-supplies.example", tz: "lon"},
	{key: "phish", name: "Accounts Receivable", addr: "billing@invoice-notice.example", tz: "ny"},
	{key: "yoga", name: "Studio Lindenhof", addr: "kurse@studio-lindenhof.example", tz: "cet", lang: "de"},
	{key: "jurwoche", name: "Arbeitsrecht aktuell", addr: "newsletter@jurwoche.example", tz: "cet", lang: "de"},
	{key: "rechnung", name: "Inkasso Service", addr: "rechnung@zahlungsportal-24.example", tz: "cet", lang: "de"},
	{key: "bueroversand", name: "Büroversand Rhein-Main", addr: "versand@bueroversand.example", tz: "cet", lang: "de"},
	{key: "airline", name: "SkyHarbor Airlines", addr: "noreply@skyharbor.example", tz: "lon"},
	{key: "railco", name: "Channel Rail", addr: "tickets@channelrail.example", tz: "lon"},
	{key: "harbourclub", name: "Harbour Sailing Club", addr: "secretary@harbourclub.example", tz: "ny"},
	{key: "pfw", name: "Private Funds Weekly", addr: "editors@privatefundsweekly.example", tz: "ny"},
	{key: "cellar", name: "Cellar Club", addr: "orders@cellarclub.example", tz: "ny"},
}

func who(key string) *person {
	for _, p := range people {
		if p.key == key {
			return p
		}
	}
	log.Fatalf("no person %q", key)
	return nil
}

func (p *person) domain() string { return p.addr[strings.LastIndex(p.addr, "@")+1:] }

func (p *person) header() string {
	if p.name == "" {
		return p.addr
	}
	if !isASCII(p.name) {
		return mime.QEncoding.Encode("UTF-8", p.name) + " <" + p.addr + ">"
	}
	if strings.ContainsAny(p.name, `.,"()<>@:;[]\&`) {
		return strconv.Quote(p.name) + " <" + p.addr + ">"
	}
	return p.name + " <" + p.addr + ">"
}

// display is the address as a mail client shows it in a quoted header.
func (p *person) display() string {
	if p.name == "" {
		return p.addr
	}
	return p.name + " <" + p.addr + ">"
}

// ---------------------------------------------------------------------------
// Time. Everything happens in 2024; summer time starts on 10 March in the US
// and on 31 March in Europe.

var zones = map[string][2]*time.Location{
	"ny":  {time.FixedZone("EST", -5*3600), time.FixedZone("EDT", -4*3600)},
	"chi": {time.FixedZone("CST", -6*3600), time.FixedZone("CDT", -5*3600)},
	"lon": {time.FixedZone("GMT", 0), time.FixedZone("BST", 1*3600)},
	"cet": {time.FixedZone("CET", 1*3600), time.FixedZone("CEST", 2*3600)},
}

// localTime reads "MM-DD hh:mm" as the local time of tz; the seconds come
// from the message key.
func localTime(at, tz, key string) time.Time {
	var mo, d, h, mi int
	if _, err := fmt.Sscanf(at, "%d-%d %d:%d", &mo, &d, &h, &mi); err != nil {
		log.Fatalf("%s: bad time %q", key, at)
	}
	summer := false
	switch tz {
	case "ny", "chi":
		summer = mo > 3 || (mo == 3 && d >= 10)
	default:
		summer = mo > 3 || (mo == 3 && d >= 31)
	}
	z := zones[tz][0]
	if summer {
		z = zones[tz][1]
	}
	h32 := fnv.New32a()
	h32.Write([]byte(key))
	return time.Date(2024, time.Month(mo), d, h, mi, int(h32.Sum32()%60), 0, z)
}

// ---------------------------------------------------------------------------
// MIME building (as in testdata/gen). Everything is built with LF line
// endings; a mailbox written with CRLF converts every line at the end.

type hdr struct{ k, v string }

type part struct {
	h    []hdr
	body string
	sub  string
	kids []*part
}

func (p *part) write(b *strings.Builder, boundary func() string) {
	if p.sub == "" {
		for _, h := range p.h {
			writeHeader(b, h)
		}
		b.WriteString("\n")
		b.WriteString(p.body)
		return
	}
	bd := boundary()
	writeHeader(b, hdr{"Content-Type", fmt.Sprintf("multipart/%s; boundary=\"%s\"", p.sub, bd)})
	for _, h := range p.h {
		writeHeader(b, h)
	}
	b.WriteString("\n")
	for _, k := range p.kids {
		b.WriteString("--" + bd + "\n")
		k.write(b, boundary)
		b.WriteString("\n")
	}
	b.WriteString("--" + bd + "--\n")
}

// writeHeader writes one field, folded at spaces before 78 columns.
func writeHeader(b *strings.Builder, h hdr) {
	line := h.k + ": " + h.v
	minCut := len(h.k) + 2
	for len(line) > 78 {
		cut := strings.LastIndex(line[:77], " ")
		if cut <= minCut {
			next := strings.Index(line[minCut+1:], " ")
			if next < 0 {
				break
			}
			cut = minCut + 1 + next
		}
		b.WriteString(line[:cut] + "\n")
		line = line[cut:]
		minCut = 1
	}
	b.WriteString(line + "\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// trimBody trims the leading line break of a raw string literal and
// trailing blank space.
func trimBody(s string) string { return strings.TrimLeft(strings.TrimRight(s, "\n \t"), "\n") }

// wrap breaks lines longer than 76 bytes at spaces, at 72; quoted lines
// are left alone.
func wrap(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if len(line) <= 76 || strings.HasPrefix(line, ">") {
			out = append(out, line)
			continue
		}
		cur := ""
		for _, w := range strings.Fields(line) {
			if cur != "" && len(cur)+1+len(w) > 72 {
				out = append(out, cur)
				cur = w
				continue
			}
			if cur != "" {
				cur += " "
			}
			cur += w
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		log.Fatal(err)
	}
	w.Close()
	out := strings.ReplaceAll(b.String(), "\r\n", "\n")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

func b64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			log.Fatalf("%q is not in ISO-8859-1", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

func textPart(s string) *part {
	s += "\n"
	if isASCII(s) {
		return &part{h: []hdr{{"Content-Type", `text/plain; charset="UTF-8"`}}, body: s}
	}
	return &part{h: []hdr{{"Content-Type", `text/plain; charset="UTF-8"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(s)}
}

func textLatin1(s string) *part {
	return &part{h: []hdr{{"Content-Type", `text/plain; charset="ISO-8859-1"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(latin1(s + "\n"))}
}

func htmlPart(s string) *part {
	return &part{h: []hdr{{"Content-Type", `text/html; charset="UTF-8"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(s + "\n")}
}

// htmlOf renders plain text as the HTML a mail client sends with it:
// paragraphs, line breaks, and quoted lines as nested blockquotes.
func htmlOf(s string) string {
	return `<div dir="ltr">` + htmlLines(strings.Split(strings.TrimSpace(s), "\n")) + "</div>"
}

func htmlLines(lines []string) string {
	var b strings.Builder
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + strings.Join(para, "<br>\n") + "</p>\n")
			para = nil
		}
	}
	for i := 0; i < len(lines); {
		if strings.HasPrefix(lines[i], ">") {
			flush()
			var q []string
			for ; i < len(lines) && strings.HasPrefix(lines[i], ">"); i++ {
				q = append(q, strings.TrimPrefix(strings.TrimPrefix(lines[i], ">"), " "))
			}
			b.WriteString(`<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">` + "\n" + htmlLines(q) + "</blockquote>\n")
			continue
		}
		if strings.TrimSpace(lines[i]) == "" {
			flush()
		} else {
			para = append(para, html.EscapeString(lines[i]))
		}
		i++
	}
	flush()
	return b.String()
}

var tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// textOfHTML is a crude plain rendering of an HTML body, for forwards and
// for the evidence checks.
func textOfHTML(s string) string {
	s = strings.NewReplacer("<br>", "\n", "</p>", "\n\n", "</tr>", "\n", "</h1>", "\n\n", "</h2>", "\n\n", "</li>", "\n").Replace(s)
	s = html.UnescapeString(tagRE.ReplaceAllString(s, ""))
	var out []string
	blank := true
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func multi(sub string, kids ...*part) *part { return &part{sub: sub, kids: kids} }

func pct2231(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// att is a small attachment: text/plain or application/octet-stream
// (the default), base64-encoded. Names that are not ASCII are written as
// RFC 2231 (filename*=) with an RFC 2047 name= beside it, as Gmail does.
type att struct {
	name, ctype, data string
}

func (a att) part() *part {
	ctype := a.ctype
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	var ct, cd string
	if isASCII(a.name) {
		ct = fmt.Sprintf("%s; name=%q", ctype, a.name)
		cd = fmt.Sprintf("attachment; filename=%q", a.name)
	} else {
		ct = fmt.Sprintf("%s; name=\"%s\"", ctype, mime.BEncoding.Encode("UTF-8", a.name))
		cd = "attachment; filename*=UTF-8''" + pct2231(a.name)
	}
	sum := sha256.Sum256([]byte(a.name + a.data))
	return &part{h: []hdr{
		{"Content-Type", ct},
		{"Content-Disposition", cd},
		{"Content-Transfer-Encoding", "base64"},
		{"X-Attachment-Id", "f_" + hex.EncodeToString(sum[:5])},
	}, body: b64([]byte(a.data))}
}

// ---------------------------------------------------------------------------
// Messages.

// Body formats.
const (
	fDefault = iota // the sender's habit: plain text, or multipart/alternative
	fPlain
	fAlt
	fHTML   // HTML only
	fLatin1 // text/plain in ISO-8859-1
)

// msg is one message in one mailbox (box "" is a message that lies in no
// exported mailbox and is only forwarded or replied to).
type msg struct {
	box     string
	k       string // key, unique
	at      string // "MM-DD hh:mm", the sender's local time
	fr      string // person key
	to, cc  string // person keys, space-separated
	subj    string // decoded subject; "" derives it from re, fwd or fwdAs
	body    string
	html    string // HTML written by the sender (fHTML or the alternative)
	re      string // the message replied to, quoted below the text
	fwd     string // the message forwarded inline, Gmail style
	fwdAs   string // the message forwarded as a message/rfc822 attachment
	split   bool   // the subject changed: Gmail starts a new conversation
	noQuote bool
	subjB   bool // subject RFC 2047 B-encoded
	nosig   bool
	lab     string // a matter label; "" puts the generic filing label
	sys     string // system labels, comma-separated; "" derives them
	form    int
	att     []att
	truth   string // target id or "none"
	cat     string
	note    string
	trap    string // "|"-separated strings that look like evidence but are declared not to decide

	from        *person
	date        time.Time
	id          string
	parent      *msg
	built       bool
	own         string // the sender's text as written, wrapped, with signature
	extra       string // the quoted or forwarded text below it
	text        string // own + extra: the text/plain body
	flow        string // text without the line wrapping, for the HTML body
	rendered    string
	gmID, thrID uint64
	index       int
}

var all []*msg

func add(box string, ms []msg) {
	for i := range ms {
		m := ms[i]
		m.box = box
		all = append(all, &m)
	}
}

func byKey(k string) *msg {
	for _, m := range all {
		if m.k == k {
			return m
		}
	}
	log.Fatalf("no message %q", k)
	return nil
}

func (m *msg) parentKey() string {
	switch {
	case m.re != "":
		return m.re
	case m.fwd != "":
		return m.fwd
	}
	return m.fwdAs
}

func stripReply(s string) string {
	for _, p := range []string{"Re: ", "RE: ", "AW: ", "Aw: "} {
		if strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}

func (m *msg) german() bool { return m.from.lang == "de" }

func gmailDate(t time.Time) string { return t.Format("Mon, Jan 2, 2006 at 3:04 PM") }

var deDays = []string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}
var deMonths = []string{"", "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."}

func (m *msg) recipients(keys string) []*person {
	var out []*person
	for _, k := range strings.Fields(keys) {
		out = append(out, who(k))
	}
	return out
}

func joinDisplay(ps []*person) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.display())
	}
	return strings.Join(s, ", ")
}

func joinHeader(ps []*person) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.header())
	}
	return strings.Join(s, ", ")
}

func quote(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		switch {
		case line == "":
			out = append(out, ">")
		case strings.HasPrefix(line, ">"):
			out = append(out, ">"+line)
		default:
			out = append(out, "> "+line)
		}
	}
	return strings.Join(out, "\n")
}

// build derives the subject, the dates, the Message-ID and the texts.
func (m *msg) build() {
	if m.built {
		return
	}
	m.built = true
	m.from = who(m.fr)
	m.date = localTime(m.at, m.from.tz, m.k)
	if pk := m.parentKey(); pk != "" {
		m.parent = byKey(pk)
		m.parent.build()
	}
	if m.subj == "" {
		switch {
		case m.parent == nil:
			log.Fatalf("%s: no subject", m.k)
		case m.re != "":
			p := "Re: "
			if m.german() && m.from.outlook {
				p = "AW: "
			}
			m.subj = p + stripReply(m.parent.subj)
		default:
			p := "Fwd: "
			if m.german() && m.from.outlook {
				p = "WG: "
			}
			m.subj = p + m.parent.subj
		}
	}
	sum := sha256.Sum256([]byte("matterfile-eval:" + m.k))
	dom := m.from.domain()
	switch {
	case dom == firmDomain:
		m.id = "CAHL" + base64.RawURLEncoding.EncodeToString(sum[:18]) + "@mail.harperlegal.example"
	case dom == "gmail.example":
		m.id = "CA" + base64.RawURLEncoding.EncodeToString(sum[:24]) + "@mail.gmail.example"
	case m.from.outlook:
		site, region := "AM", ".eurprd0"
		if m.from.tz == "ny" || m.from.tz == "chi" {
			site, region = "BN", ".namprd0"
		}
		host := site + strconv.Itoa(int(sum[4]%9)+1) + "PR0" + strconv.Itoa(int(sum[5]%9)+1) + "MB" + strings.ToUpper(hex.EncodeToString(sum[6:8]))
		m.id = host + strings.ToUpper(hex.EncodeToString(sum[8:16])) + "@" + host + region + strconv.Itoa(int(sum[16]%9)+1) + ".prod.outlook.example"
	default:
		m.id = fmt.Sprintf("%s.%d@%s", hex.EncodeToString(sum[:8]), m.date.Unix(), dom)
	}

	ownFlow := trimBody(m.body)
	if m.html != "" && ownFlow == "" {
		ownFlow = textOfHTML(m.html)
	}
	if !m.nosig && m.from.sig != "" {
		ownFlow += "\n\n" + m.from.sig
	}
	m.own = wrap(ownFlow)
	var extraFlow string
	switch {
	case m.fwd != "":
		p := m.parent
		var b strings.Builder
		b.WriteString("---------- Forwarded message ---------\n")
		b.WriteString("From: " + p.from.display() + "\n")
		b.WriteString("Date: " + gmailDate(p.date) + "\n")
		b.WriteString("Subject: " + p.subj + "\n")
		b.WriteString("To: " + joinDisplay(p.recipients(p.to)) + "\n")
		if p.cc != "" {
			b.WriteString("Cc: " + joinDisplay(p.recipients(p.cc)) + "\n")
		}
		head := b.String()
		m.extra = head + "\n" + p.text
		extraFlow = head + "\n" + p.flow
	case m.re != "" && !m.noQuote:
		p := m.parent
		var attr string
		if m.german() {
			t := p.date
			attr = fmt.Sprintf("Am %s, %d. %s %d um %s Uhr schrieb %s:", deDays[t.Weekday()], t.Day(), deMonths[t.Month()], t.Year(), t.Format("15:04"), p.from.display())
		} else {
			attr = "On " + gmailDate(p.date) + " " + p.from.display() + " wrote:"
		}
		m.extra = attr + "\n" + quote(p.text)
		extraFlow = attr + "\n" + quote(p.flow)
	}
	m.text, m.flow = m.own, ownFlow
	if m.extra != "" {
		m.text += "\n\n" + m.extra
		m.flow += "\n\n" + extraFlow
	}
}

func (m *msg) refs() []string {
	if m.parent == nil || m.fwdAs != "" {
		return nil
	}
	return append(m.parent.refs(), "<"+m.parent.id+">")
}

func (m *msg) bodyPart() *part {
	form := m.form
	if form == fDefault {
		form = fPlain
		if m.from.alt {
			form = fAlt
		}
	}
	h := m.html
	if h == "" {
		h = htmlOf(m.flow)
	}
	var p *part
	switch form {
	case fPlain:
		p = textPart(m.text)
	case fAlt:
		p = multi("alternative", textPart(m.text), htmlPart(h))
	case fHTML:
		p = htmlPart(h)
	case fLatin1:
		p = textLatin1(m.text)
	}
	if len(m.att) == 0 && m.fwdAs == "" {
		return p
	}
	kids := []*part{p}
	for _, a := range m.att {
		kids = append(kids, a.part())
	}
	if m.fwdAs != "" {
		name := strings.Map(func(r rune) rune {
			if r > 0x7e || strings.ContainsRune(`"\/:*?<>|`, r) {
				return '_'
			}
			return r
		}, m.parent.subj) + ".eml"
		kids = append(kids, &part{h: []hdr{
			{"Content-Type", "message/rfc822"},
			{"Content-Disposition", fmt.Sprintf("attachment; filename=%q", name)},
		}, body: m.parent.render()})
	}
	return multi("mixed", kids...)
}

// render is the message as its sender's server sent it.
func (m *msg) render() string {
	if m.rendered != "" {
		return m.rendered
	}
	var b strings.Builder
	writeHeader(&b, hdr{"MIME-Version", "1.0"})
	writeHeader(&b, hdr{"Date", m.date.Format("Mon, 2 Jan 2006 15:04:05 -0700")})
	if refs := m.refs(); refs != nil {
		writeHeader(&b, hdr{"References", strings.Join(refs, " ")})
		writeHeader(&b, hdr{"In-Reply-To", "<" + m.parent.id + ">"})
	}
	writeHeader(&b, hdr{"Message-ID", "<" + m.id + ">"})
	subj := m.subj
	switch {
	case m.subjB:
		subj = mime.BEncoding.Encode("UTF-8", subj)
	case !isASCII(subj):
		subj = mime.QEncoding.Encode("UTF-8", subj)
	}
	writeHeader(&b, hdr{"Subject", subj})
	writeHeader(&b, hdr{"From", m.from.header()})
	writeHeader(&b, hdr{"To", joinHeader(m.recipients(m.to))})
	if m.cc != "" {
		writeHeader(&b, hdr{"Cc", joinHeader(m.recipients(m.cc))})
	}
	if m.from.outlook {
		writeHeader(&b, hdr{"X-Mailer", "Microsoft Outlook 16.0"})
	}
	sum := sha256.Sum256([]byte(m.id))
	n := 0
	m.bodyPart().write(&b, func() string {
		n++
		return fmt.Sprintf("000000000000%s%02x", hex.EncodeToString(sum[:6]), n)
	})
	m.rendered = b.String()
	return m.rendered
}

func (m *msg) owner() *person { return who(m.box) }

func (m *msg) sent() bool { return m.box != "" && m.fr == m.box }

func (m *msg) labels() []string {
	var ls []string
	switch {
	case m.sys != "":
		ls = strings.Split(m.sys, ",")
	case m.sent():
		ls = []string{"Sent"}
	default:
		ls = []string{"Inbox"}
		h := fnv.New32a()
		h.Write([]byte(m.k))
		if h.Sum32()%3 == 0 {
			ls = append(ls, "Important")
		}
		ls = append(ls, "Opened")
	}
	if m.lab != "" {
		return append(ls, m.lab)
	}
	return append(ls, filingLabel)
}

func labelsHeader(ls []string) string {
	var out []string
	for _, v := range ls {
		if strings.ContainsAny(v, `,"`) {
			v = `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
		}
		out = append(out, v)
	}
	return strings.Join(out, ",")
}

func (m *msg) raw() string {
	var b strings.Builder
	b.WriteString("X-GM-THRID: " + strconv.FormatUint(m.thrID, 10) + "\n")
	b.WriteString("X-Gmail-Labels: " + labelsHeader(m.labels()) + "\n")
	if !m.sent() {
		b.WriteString("Delivered-To: " + m.owner().addr + "\n")
	}
	b.WriteString(m.render())
	return b.String()
}

// ---------------------------------------------------------------------------
// Categories: what a message exercises. Group is the share it counts in.

type category struct{ slug, group, desc string }

var categories = []category{
	{"number-subject", "number", "the target's number in the subject (`2024-0117 – …`, `Re: [2024-0117] …`, `Our ref 2024-0117 …`, `C-2024-031 MSA …`)"},
	{"number-body", "number", "the number only in the sender's own text (`Our reference: …`, `Unser Zeichen: …`)"},
	{"number-attachment", "number", "the number only in an attachment's file name"},
	{"number-quoted", "number", "the number only in the quoted text of a reply"},
	{"thread-reply", "thread", "reply with no target number anywhere, no alias or keyword in its subject or own text and no unique participant or domain in its headers (the quoted text may still name the other side): decidable by In-Reply-To/References (and X-GM-THRID unless the subject changed) of an earlier decidable message in the same file"},
	{"thread-forward", "thread", "Gmail inline forward of an earlier message of the same file, held to the same rules as thread-reply (the forwarded block may name the other side and its address)"},
	{"participant", "participant", "no number; an address in From/To/Cc is a participant of exactly one target"},
	{"domain", "participant", "no number and no listed participant; a sender or recipient domain belongs to exactly one target"},
	{"alias", "alias", "no number, no unique participant or domain: an alias, docket number, opposing party or keyword of one target in the subject or body"},
	{"label", "alias", "nothing but the matter label (`Matters/…`) tells where it belongs"},
	{"misleading-number", "trap", "a string that looks like a matter number but is an invoice, order or ticket number, a phone number or another court's or registry's reference"},
	{"admin-numbers", "trap", "firm administration listing several matter numbers; belongs to none"},
	{"conflict-two-numbers", "trap", "two target numbers in the subject; the truth is the one the message is about"},
	{"label-conflict", "trap", "the matter label disagrees with the number in the subject; the label was set by mistake"},
	{"shared-counsel", "trap", "opposing counsel who acts on two matters for different clients; the content decides"},
	{"shared-domain", "trap", "from the group domain shared by two clients (vantorgroup.example); only an alias or keyword tells which"},
	{"webmail", "trap", "a gmail.example address: the domain identifies nobody"},
	{"closed", "trap", "about a closed matter; the truth is the closed matter"},
	{"walled", "trap", "in the mailbox of a lawyer walled off from the matter it is about; the truth is that matter"},
	{"quoted-other-number", "trap", "reply decidable by its thread whose quoted text holds another target's number"},
	{"not-matter", "trap", "newsletter, personal or firm admin mail wrongly given the generic filing label"},
	{"new-matter", "trap", "client mail about work for which no matter exists yet"},
}

var groups = []struct{ slug, desc, aim string }{
	{"number", "a target number in subject, body, attachment name or quote", "~35%"},
	{"thread", "replies and forwards decidable only by their thread", "~25%"},
	{"participant", "a participant address or domain unique to one target", "~20%"},
	{"alias", "alias, opposing party, keyword or matter label only", "~5%"},
	{"trap", "traps", "~15%"},
}

func categoryOf(slug string) *category {
	for i := range categories {
		if categories[i].slug == slug {
			return &categories[i]
		}
	}
	return nil
}

func isThreadCat(c string) bool {
	return c == "thread-reply" || c == "thread-forward" || c == "quoted-other-number"
}

// ---------------------------------------------------------------------------
// Evidence checks. They do not decide the truth; they make sure that each
// message carries what its category claims and nothing undeclared.

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// phraseIn reports whether phrase occurs in text, case-insensitively, not
// inside a longer word.
func phraseIn(text, phrase string) bool {
	lt, lp := strings.ToLower(text), strings.ToLower(phrase)
	if lp == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(lp)
	last, _ := utf8.DecodeLastRuneInString(lp)
	for i := 0; ; {
		j := strings.Index(lt[i:], lp)
		if j < 0 {
			return false
		}
		s, e := i+j, i+j+len(lp)
		before, _ := utf8.DecodeLastRuneInString(lt[:s])
		after, _ := utf8.DecodeRuneInString(lt[e:])
		okB := s == 0 || !alnum(first) || !alnum(before)
		okA := e == len(lt) || !alnum(last) || !alnum(after)
		if okB && okA {
			return true
		}
		i = s + 1
	}
}

func (t *target) phrases() []string {
	var out []string
	out = append(out, t.Aliases...)
	out = append(out, t.Keywords...)
	return append(out, t.OpposingParties...)
}

func targetsOfAddr(addr string) []*target {
	var out []*target
	for i := range targets {
		for _, p := range targets[i].Participants {
			if p == addr {
				out = append(out, &targets[i])
			}
		}
	}
	return out
}

func targetsOfDomain(d string) []*target {
	var out []*target
	for i := range targets {
		for _, x := range targets[i].Domains {
			if x == d {
				out = append(out, &targets[i])
			}
		}
	}
	return out
}

func (m *msg) headerPeople() []*person {
	var out []*person
	for _, p := range append(append([]*person{m.from}, m.recipients(m.to)...), m.recipients(m.cc)...) {
		if p.domain() != firmDomain {
			out = append(out, p)
		}
	}
	return out
}

type where struct{ subj, own, extra, attName, attData string }

func (w where) all() string {
	return strings.Join([]string{w.subj, w.own, w.extra, w.attName, w.attData}, "\n")
}

func (m *msg) where() where {
	w := where{subj: m.subj, own: m.own, extra: m.extra}
	if m.html != "" {
		w.own += "\n" + textOfHTML(m.html)
	}
	for _, a := range m.att {
		w.attName += a.name + "\n"
		w.attData += a.data + "\n"
	}
	if m.fwdAs != "" {
		w.extra += "\n" + m.parent.subj + "\n" + m.parent.text
	}
	return w
}

func (m *msg) traps() []string {
	if m.trap == "" {
		return nil
	}
	return strings.Split(m.trap, "|")
}

func (m *msg) isTrap(s string) bool {
	for _, t := range m.traps() {
		if strings.EqualFold(t, s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *msg) check() []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, m.box+"/"+m.k+": "+fmt.Sprintf(f, a...)) }
	if categoryOf(m.cat) == nil {
		bad("unknown category %q", m.cat)
	}
	var t *target
	if m.truth != "none" {
		if t = targetByID(m.truth); t == nil {
			bad("unknown truth %q", m.truth)
			return errs
		}
	}
	w := m.where()
	everywhere := w.all()
	in := func(s string) bool { return t != nil && phraseIn(s, t.Number) }

	// Numbers of other targets only where declared.
	var subjNumbers []string
	for _, x := range targets {
		if phraseIn(w.subj, x.Number) {
			subjNumbers = append(subjNumbers, x.Number)
		}
		if phraseIn(everywhere, x.Number) && (t == nil || x.ID != t.ID) && !m.isTrap(x.Number) {
			bad("undeclared number %s", x.Number)
		}
	}
	for _, s := range m.traps() {
		if !strings.Contains(strings.ToLower(everywhere), strings.ToLower(s)) && !contains(m.addrs(), s) {
			bad("declared trap %q does not occur", s)
		}
	}

	// Header evidence.
	hasP, hasD, webmail, sharedCounsel, sharedDomain := false, false, false, false, false
	for _, p := range m.headerPeople() {
		ts := targetsOfAddr(p.addr)
		if len(ts) == 1 {
			if ts[0].ID == m.truth {
				hasP = true
			} else if !m.isTrap(p.addr) {
				bad("%s is a participant of %s only", p.addr, ts[0].ID)
			}
		}
		if len(ts) > 1 && t != nil {
			clients := map[string]bool{}
			for _, x := range ts {
				clients[x.Client] = true
			}
			if len(clients) > 1 && contains(t.Participants, p.addr) {
				sharedCounsel = true
			}
		}
		ds := targetsOfDomain(p.domain())
		if len(ds) == 1 {
			if ds[0].ID == m.truth {
				hasD = true
			} else if !m.isTrap(p.domain()) {
				bad("domain %s belongs to %s only", p.domain(), ds[0].ID)
			}
		}
		if len(ds) > 1 {
			clients := map[string]bool{}
			for _, x := range ds {
				clients[x.Client] = true
			}
			if len(clients) > 1 && p == m.from {
				sharedDomain = true
			}
		}
		if p.domain() == "gmail.example" {
			webmail = true
		}
	}

	// Phrases of other targets only where declared.
	for _, x := range targets {
		if t != nil && x.ID == t.ID {
			continue
		}
		for _, ph := range x.phrases() {
			if phraseIn(w.subj+"\n"+w.own, ph) && !m.isTrap(ph) {
				bad("phrase %q of %s", ph, x.ID)
			}
		}
	}
	aliasIn := func(s string) bool {
		if t == nil {
			return false
		}
		for _, ph := range t.phrases() {
			if phraseIn(s, ph) {
				return true
			}
		}
		return false
	}

	// Labels.
	if m.lab != "" {
		lt := targetOfLabel(m.lab)
		switch {
		case lt == nil:
			bad("label %q maps to no target", m.lab)
		case m.cat == "label-conflict":
			if lt.ID == m.truth {
				bad("label-conflict with the label of the truth")
			}
		case lt.ID != m.truth:
			bad("label %q disagrees with the truth", m.lab)
		}
	}

	// Closed and walled are categories of their own.
	if t != nil && (t.Status == "closed") != (m.cat == "closed") {
		bad("closed target and category closed must go together")
	}
	if t != nil && contains(t.Walled, m.owner().addr) != (m.cat == "walled") {
		bad("walled target and category walled must go together")
	}
	if (t == nil) != (m.cat == "not-matter" || m.cat == "new-matter" || m.cat == "admin-numbers" || (m.cat == "misleading-number" && m.truth == "none")) {
		bad("truth none and category disagree")
	}

	thread := func() {
		p := m.parent
		switch {
		case p == nil || p.box != m.box:
			bad("thread parent is not in the same mailbox")
		case p.truth != m.truth:
			bad("thread parent has truth %s", p.truth)
		case m.fwdAs != "":
			bad("a forward as attachment does not thread")
		}
		if in(everywhere) {
			bad("thread message carries the number")
		}
		if aliasIn(w.subj) || aliasIn(m.ownOnly()) {
			bad("thread message names an alias in its own text")
		}
		if hasP || hasD {
			bad("thread message has a unique participant or domain")
		}
	}
	noNumber := func() {
		if in(everywhere) {
			bad("carries the number")
		}
	}
	switch m.cat {
	case "number-subject":
		if !in(w.subj) {
			bad("number not in the subject")
		}
	case "number-body":
		if in(w.subj) || !in(w.own) {
			bad("number not (only) in the body")
		}
	case "number-attachment":
		if in(w.subj) || in(w.own) || in(w.extra) || !in(w.attName) {
			bad("number not only in an attachment name")
		}
	case "number-quoted":
		if in(w.subj) || in(w.own) || !in(w.extra) || m.re == "" {
			bad("number not only in the quoted text")
		}
	case "thread-reply":
		thread()
		if m.re == "" {
			bad("thread-reply without re")
		}
	case "thread-forward":
		thread()
		if m.fwd == "" {
			bad("thread-forward without fwd")
		}
	case "quoted-other-number":
		thread()
		if len(m.traps()) == 0 || !phraseIn(w.extra, m.traps()[0]) || phraseIn(w.subj+w.own, m.traps()[0]) {
			bad("the other number is not only in the quoted text")
		}
	case "participant":
		noNumber()
		if !hasP {
			bad("no unique participant")
		}
	case "domain":
		noNumber()
		if hasP || !hasD {
			bad("want a unique domain and no unique participant")
		}
	case "alias":
		noNumber()
		if hasP || hasD || !aliasIn(w.subj+"\n"+w.own+"\n"+w.extra) {
			bad("want an alias and no unique participant or domain")
		}
	case "label":
		noNumber()
		if m.lab == "" || hasP || hasD || aliasIn(w.subj+"\n"+w.own) {
			bad("want a matter label as the only evidence")
		}
	case "label-conflict":
		if !in(w.subj) || m.lab == "" {
			bad("want the number in the subject and another target's label")
		}
	case "conflict-two-numbers":
		if len(subjNumbers) < 2 || !in(w.subj) {
			bad("want two numbers in the subject")
		}
	case "misleading-number", "admin-numbers":
		if len(m.traps()) == 0 {
			bad("no declared trap")
		}
	case "shared-counsel":
		noNumber()
		if !sharedCounsel || hasP {
			bad("want shared counsel and no unique participant")
		}
	case "shared-domain":
		noNumber()
		if !sharedDomain || hasP || hasD {
			bad("want a sender from a shared domain and nothing unique")
		}
	case "webmail":
		noNumber()
		if !webmail {
			bad("no gmail.example address")
		}
	case "not-matter", "new-matter":
		if hasP || hasD {
			bad("unique participant on a message that belongs to none")
		}
	}
	return errs
}

// ownOnly is the sender's text without the signature.
func (m *msg) ownOnly() string { return wrap(trimBody(m.body)) }

func (m *msg) addrs() []string {
	var out []string
	for _, p := range m.headerPeople() {
		out = append(out, p.addr, p.domain())
	}
	return out
}

func (m *msg) finalNote() string {
	note := m.note
	if note == "" {
		switch m.cat {
		case "number-subject":
			note = "number in the subject"
		case "number-body":
			note = "number only in the body"
		case "number-attachment":
			note = "number only in the attachment file name"
		case "number-quoted":
			note = "reply; the number is only in the quoted text"
		case "participant":
			note = "no number; a participant of this target alone in the headers"
		case "domain":
			note = "no number; sender domain belongs to this target alone"
		case "alias":
			note = "no number; named by an alias, opposing party or keyword"
		case "label":
			note = "no number; only the matter label decides"
		case "not-matter":
			note = "not matter-related, generic label by mistake"
		case "shared-counsel":
			note = "opposing counsel acting on two matters of two clients; the content decides"
		case "shared-domain":
			note = "from the group domain shared by two clients; the keyword or alias decides"
		case "webmail":
			note = "gmail.example address; the domain identifies nobody"
		case "closed":
			note = "about a closed matter"
		case "walled":
			note = "in the mailbox of a lawyer walled off from this matter"
		}
	}
	if isThreadCat(m.cat) {
		how := "same X-GM-THRID"
		if m.split {
			how = "subject changed, so Gmail gave it a new X-GM-THRID"
		}
		verb := "reply to"
		if m.fwd != "" {
			verb = "forward of"
		}
		root := m.parent
		for isThreadCat(root.cat) {
			root = root.parent
		}
		t := fmt.Sprintf("%s #%d (%s)", verb, m.parent.index, how)
		if root != m.parent {
			t += fmt.Sprintf("; the chain goes back to #%d (%s)", root.index, root.cat)
		} else {
			t += fmt.Sprintf(", which is %s", root.cat)
		}
		if note == "" {
			note = t
		} else {
			note += "; " + t
		}
	}
	if note == "" {
		log.Fatalf("%s: no note", m.k)
	}
	return note
}

// ---------------------------------------------------------------------------
// Writing.

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func main() {
	if _, err := os.Stat(filepath.Join(outDir, "gen", "main.go")); err != nil {
		log.Fatal("run from the repository root: go run testdata/eval/gen/main.go")
	}
	add("alice", aliceMail())
	add("ben", benMail())
	add("chloe", chloeMail())
	add("devika", devikaMail())
	add("emil", emilMail())
	add("alice", aliceMore())
	add("ben", benMore())
	add("chloe", chloeMore())
	add("devika", devikaMore())
	add("emil", emilMore())
	add("", ghosts())

	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.k] {
			log.Fatalf("key %s twice", m.k)
		}
		seen[m.k] = true
	}
	for _, m := range all {
		m.build()
	}
	ids := map[string]string{}
	for _, m := range all {
		if other, ok := ids[m.id]; ok {
			log.Fatalf("%s and %s share a Message-ID", m.k, other)
		}
		ids[m.id] = m.k
	}

	// Order each mailbox by date; give each message its Gmail ID
	// (time-derived, as Gmail's are) and its thread ID.
	byBox := map[string][]*msg{}
	for _, m := range all {
		if m.box != "" {
			byBox[m.box] = append(byBox[m.box], m)
		}
	}
	seq := uint64(0)
	for _, mb := range mailboxes {
		list := byBox[mb.Name]
		sort.SliceStable(list, func(i, j int) bool {
			if !list[i].date.Equal(list[j].date) {
				return list[i].date.Before(list[j].date)
			}
			return list[i].k < list[j].k
		})
		for i, m := range list {
			seq++
			m.index = i
			m.gmID = uint64(m.date.UnixMilli())<<20 | seq<<4
			if len(strconv.FormatUint(m.gmID, 10)) != 19 {
				log.Fatalf("Gmail ID %d is not 19 digits", m.gmID)
			}
			m.thrID = m.gmID
			if p := m.parent; p != nil && p.box == m.box {
				if p.gmID == 0 || !p.date.Before(m.date) {
					log.Fatalf("%s: its parent %s comes later", m.k, p.k)
				}
				if m.fwdAs == "" && !m.split {
					m.thrID = p.thrID
				}
			}
		}
	}

	var errs []string
	for _, mb := range mailboxes {
		for _, m := range byBox[mb.Name] {
			errs = append(errs, m.check()...)
		}
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(os.Stderr, e)
		}
		log.Fatalf("%d problems", len(errs))
	}

	for _, mb := range mailboxes {
		var b strings.Builder
		for _, m := range byBox[mb.Name] {
			b.WriteString(fmt.Sprintf("From %d@xxx %s\n", m.gmID, m.date.UTC().Format("Mon Jan 02 15:04:05 -0700 2006")))
			for _, line := range strings.SplitAfter(m.raw(), "\n") {
				if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
					b.WriteString(">") // mboxrd
				}
				b.WriteString(line)
			}
			b.WriteString("\n")
		}
		out := b.String()
		if strings.Contains(out, "\r") {
			log.Fatalf("%s: a CR slipped into the LF text", mb.Name)
		}
		for _, line := range strings.Split(out, "\n") {
			if len(line) > 998 {
				log.Fatalf("%s: line longer than 998 bytes", mb.Name)
			}
			if !strings.HasPrefix(line, "X-Gmail-Labels:") && !isASCII(line) {
				log.Fatalf("%s: 8-bit byte outside X-Gmail-Labels in %q", mb.Name, line)
			}
		}
		if mb.CRLF {
			out = strings.ReplaceAll(out, "\n", "\r\n")
		}
		must(os.WriteFile(filepath.Join(outDir, mb.Name+".mbox"), []byte(out), 0o644))
	}

	// EXPECTED.csv
	var exp bytes.Buffer
	w := csv.NewWriter(&exp)
	must(w.Write([]string{"file", "index", "truth", "category", "note"}))
	for _, mb := range mailboxes {
		for _, m := range byBox[mb.Name] {
			must(w.Write([]string{mb.Name, strconv.Itoa(m.index), m.truth, m.cat, m.finalNote()}))
		}
	}
	w.Flush()
	must(w.Error())
	must(os.WriteFile(filepath.Join(outDir, "EXPECTED.csv"), exp.Bytes(), 0o644))

	// matters.json
	var mj bytes.Buffer
	enc := json.NewEncoder(&mj)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(enc.Encode(targets))
	must(os.WriteFile(filepath.Join(outDir, "matters.json"), mj.Bytes(), 0o644))

	readmeText, summary := readme(byBox)
	must(os.WriteFile(filepath.Join(outDir, "README.md"), []byte(readmeText), 0o644))
	fmt.Print(summary)
}

func readme(byBox map[string][]*msg) (string, string) {
	total := 0
	catCount := map[string]int{}
	groupCount := map[string]int{}
	truthCount := map[string]int{}
	matterLabels := 0
	for _, mb := range mailboxes {
		for _, m := range byBox[mb.Name] {
			total++
			catCount[m.cat]++
			groupCount[categoryOf(m.cat).group]++
			truthCount[m.truth]++
			if m.lab != "" {
				matterLabels++
			}
		}
	}
	pct := func(n int) string { return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total)) }
	threadMsgs, rootNumbered := 0, 0
	for _, mb := range mailboxes {
		for _, m := range byBox[mb.Name] {
			if !isThreadCat(m.cat) {
				continue
			}
			threadMsgs++
			root := m.parent
			for isThreadCat(root.cat) {
				root = root.parent
			}
			if strings.HasPrefix(root.cat, "number") || root.lab != "" || strings.Contains(root.cat, "conflict") {
				rootNumbered++
			}
		}
	}

	var b strings.Builder
	b.WriteString(`# Evaluation set for the matter classifier

Generated by ` + "`go run testdata/eval/gen/main.go`" + ` (run from the repository
root); do not edit the generated files by hand, change the generator and run
it again. The output is deterministic: the same generator writes the same
bytes.

Everything is invented: the firm Harper Legal LLP (harperlegal.example), its
clients, the other side, the courts and registries. Every domain is under
` + "`.example`" + `.

The truth of every message is decided by construction, by the author of the
generator: the target a careful lawyer would file it to, or ` + "`none`" + ` when
the message is not matter-related. No classifier was run to decide it. The
generator checks that every message carries the evidence its category says
and no evidence it does not declare (another target's number, a participant
or domain of another target alone, another target's alias or keyword).

## Files

| file | what |
|---|---|
| matters.json | the ` + strconv.Itoa(len(targets)) + ` targets, a JSON array in the schema of classify.Target |
| <name>.mbox | one Google Takeout export (mboxrd) per lawyer, messages in chronological order |
| EXPECTED.csv | ` + "`file,index,truth,category,note`" + `: one row per message; file is the mbox's base name without .mbox, index 0-based in that file |

## Mailboxes

| file | mailbox | who | office | messages | line endings |
|---|---|---|---|---|---|
`)
	for _, mb := range mailboxes {
		le := "LF"
		if mb.CRLF {
			le = "CRLF"
		}
		role := mb.Role
		if mb.Walled != "" {
			role += "; walled off from " + mb.Walled
		}
		fmt.Fprintf(&b, "| %s.mbox | %s | %s, %s | %s | %d | %s |\n", mb.Name, mb.addr(), mb.Person, role, mb.Office, len(byBox[mb.Name]), le)
	}
	fmt.Fprintf(&b, "\nTotal: %d messages. ", total)
	b.WriteString(`Each message starts with Takeout's ` + "`X-GM-THRID`" + ` and
` + "`X-Gmail-Labels`" + ` headers (a received message also with ` + "`Delivered-To`" + `),
then the message as sent: Message-ID, Date, From/To/Cc, In-Reply-To and
References on replies and Gmail forwards. A reply whose subject was changed
gets a new X-GM-THRID, as Gmail does; it keeps In-Reply-To and References.
Of the ` + strconv.Itoa(threadMsgs) + ` messages decidable only by their thread, ` + strconv.Itoa(rootNumbered) + ` go back to a
thread start that carries a target number or a matter label; the others go
back to one decidable by a participant, a domain or an alias.
Each message lies in one mailbox only (the other party's copy of internal
mail is not part of the set; testdata/mbox covers duplicates).

Every message carries a filing label, since Gmail only hands labelled mail
to an import: a matter label ` + "`Matters/<number> <title>`" + ` mapped to a target
(` + strconv.Itoa(matterLabels) + ` messages, ` + pct(matterLabels) + `) or the generic label ` + "`File to matter`" + ` (the rest), next to
Gmail's system labels (Inbox, Sent, Important, Opened, Category Updates …).

## Targets

` + "`walled`" + ` lists the firm's people walled off from a target; both walled
lawyers' mailboxes are in the set.

| id | number | kind | client | status | title | label | messages |
|---|---|---|---|---|---|---|---|
`)
	for _, t := range targets {
		lab := ""
		if len(t.Labels) > 0 {
			lab = "`" + t.Labels[0] + "`"
		}
		st := t.Status
		if len(t.Walled) > 0 {
			st += ", walled: " + strings.Join(t.Walled, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %d |\n", t.ID, t.Number, t.Kind, t.ClientName, st, strings.ReplaceAll(t.Title, "|", "/"), lab, truthCount[t.ID])
	}
	fmt.Fprintf(&b, "| none | | | | | not matter-related | | %d |\n", truthCount["none"])
	b.WriteString(`
Points of the design:

- Vantor Freight Ltd and Vantor Energy Ltd are two clients that both mail
  from vantorgroup.example; Helle Sørensen, the group's general counsel, is
  a participant of targets of both.
- Margaret Ellery writes from gmail.example, as do the firm's friends and
  relatives, a witness and a tribunal claimant: the domain identifies
  nobody and is in no target's domains.
- Wexford & Pine (wexfordpine.example) and Caldwell Rooke
  (caldwellrooke.example) act against the firm's clients on several
  matters, so their domains identify nothing; Marco Castellano of Wexford
  & Pine is a participant of two matters of two clients. Brandt
  Arbeitsrecht, Thorne Ashcroft, Kessler & Voss, Ashby Lorne, Redfern Law
  and Hallett Partners appear on exactly one.
- ecf-notices@district-court.example is a participant of three matters;
  their docket numbers (aliases) tell them apart.
- Clients with several targets have one main contact on all of them and
  some contacts on one only.
- Three matters are closed (m-2023-0412, m-2023-0388, m-2023-0451).
- devika@ is walled off from m-2024-0297 and emil@ from m-2024-0231; their
  mailboxes hold the wall notices and misdirected mail about those matters.

## Categories

Shares of the ` + strconv.Itoa(total) + ` messages, by group:

| group | what | aim | messages | share |
|---|---|---|---|---|
`)
	var sum strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", g.slug, g.desc, g.aim, groupCount[g.slug], pct(groupCount[g.slug]))
	}
	b.WriteString("\n| category | group | messages | what it exercises |\n|---|---|---|---|\n")
	for _, c := range categories {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", c.slug, c.group, catCount[c.slug], c.desc)
		fmt.Fprintf(&sum, "  %-22s %3d\n", c.slug, catCount[c.slug])
	}
	b.WriteString(`
Message formats: plain text, multipart/alternative, HTML only (court and
registry notices, newsletters), ISO-8859-1 quoted-printable, UTF-8
quoted-printable with German umlauts, RFC 2047 Q- and B-encoded subjects
and display names, small base64 attachments (application/octet-stream or
text/plain, some with RFC 2231 names), Gmail inline forwards
("---------- Forwarded message ---------") and forwards as message/rfc822
attachments, replies quoting their parent ("On … wrote:" / "Am … schrieb …:"
and "> " lines). emil.mbox has CRLF line endings, the others LF.

## Regenerating

	go run testdata/eval/gen/main.go
	go vet testdata/eval/gen/main.go

The generator refuses to write when a message lacks the evidence of its
category or carries undeclared evidence, and prints the counts per
category, which must match the tables above.
`)
	var s strings.Builder
	for _, mb := range mailboxes {
		fmt.Fprintf(&s, "%s.mbox: %d messages\n", mb.Name, len(byBox[mb.Name]))
	}
	for _, g := range groups {
		fmt.Fprintf(&s, "group %-12s %3d %s\n", g.slug, groupCount[g.slug], pct(groupCount[g.slug]))
	}
	s.WriteString(sum.String())
	fmt.Fprintf(&s, "total %d messages, %d targets, %d with a matter label\n", total, len(targets), matterLabels)
	return b.String(), s.String()
}

// ---------------------------------------------------------------------------
// The correspondence. Times are the sender's local time in 2024.

func pdf(title string) string {
	return "%PDF-1.4\n% Harper Legal document stub\n1 0 obj << /Title (" + title + ") >> endobj\ntrailer << /Info 1 0 R >>\n%%EOF\n"
}

func aliceMail() []msg {
	ecfHTML := func(caseNo, caption, entry, docket string) string {
		return `<html><body>
<p><strong>This is an automatic e-mail message generated by the CM/ECF system. Please DO NOT RESPOND to this e-mail because the mail box is unattended.</strong></p>
<p>The following transaction was entered on the docket.</p>
<table border="0" cellpadding="2">
<tr><td><b>Case Name:</b></td><td>` + html.EscapeString(caption) + `</td></tr>
<tr><td><b>Case Number:</b></td><td>` + caseNo + `</td></tr>
<tr><td><b>Filer:</b></td><td>` + entry + `</td></tr>
</table>
<p><b>Docket Text:</b><br>` + html.EscapeString(docket) + `</p>
<p>` + caseNo + ` Notice has been electronically mailed to all counsel of record.</p>
</body></html>`
	}
	return []msg{
		// ---- m-2024-0117 Acme v. Beta ------------------------------------
		{k: "a-mtd", at: "01-16 09:12", fr: "dana", to: "alice", cc: "rosa",
			subj: "2024-0117 – Beta's motion to dismiss: first read", lab: lAcmeBeta,
			truth: "m-2024-0117", cat: "number-subject", note: "thread start with the matter label and the number in the subject (multipart/alternative)", body: `
Alice,

Beta Logistics filed its motion to dismiss late on Friday. Their main argument is that the forum-selection clause in the 2019 carriage agreement sends every dispute to arbitration in Wilmington.

Could you give me a first read on whether that clause survives the 2022 amendment? Our CFO wants a view on the litigation reserve before the board call on January 30.

Thanks,
Dana`},
		{k: "a-mtd1", lab: lAcmeBeta, at: "01-16 11:40", fr: "alice", to: "dana", cc: "rosa", re: "a-mtd",
			truth: "m-2024-0117", cat: "number-subject", note: "reply keeping the number in the subject", body: `
Dana,

Short answer: I do not think the arbitration clause survives. Section 4 of the 2022 amendment replaced the whole dispute-resolution article and names the state and federal courts of New York, so they rely on a provision that no longer exists.

Our opposition is due on February 6. Rosa will pull the amendment history from the contract file so that we can attach the executed versions as exhibits.

Best,
Alice`},
		{k: "a-amend", at: "01-16 14:05", fr: "dana", to: "alice", re: "a-mtd1", split: true,
			subj: "Signed 2022 amendment – scanned copy", truth: "m-2024-0117", cat: "thread-reply", body: `
Alice,

Good news: I found a scanned copy of the amendment signed by their COO in our procurement share. It has a handwritten initial next to section 4, which might help on intent.

I will courier the wet-ink original to your office on Thursday. Tell me if you also need the email chain with their procurement team from the autumn of 2021.

Dana`},
		{k: "a-amend2", at: "01-17 08:30", fr: "alice", to: "dana", re: "a-amend",
			truth: "m-2024-0117", cat: "thread-reply", body: `
Dana,

Thursday works. Please send the original to Rosa's attention; she will log it in our evidence register and keep it in the safe until we file.

Yes, please send the 2021 email chain as well. If their procurement team discussed section 4 before signing, that is the best evidence we will get that both sides meant to replace the arbitration clause.

Alice`},
		{k: "a-opp3", at: "01-24 17:30", fr: "alice", to: "dana", cc: "rosa",
			subj: "Draft opposition – v3 for your comments", truth: "m-2024-0117", cat: "number-attachment",
			att: []att{{name: "2024-0117_Opposition_MTD_v3.pdf", data: pdf("Memorandum of law in opposition to the motion to dismiss - DRAFT v3 - privileged")}}, body: `
Dana,

Attached is the third draft of our opposition to the motion to dismiss. The argument on the superseded arbitration clause is in Part II; the amendment with the handwritten initial is Exhibit C.

Please send any comments by Monday noon so that we can finalise the declaration of your procurement manager before we file on February 6.

Alice`},
		{k: "a-reserve", at: "01-26 08:45", fr: "dana", to: "alice",
			subj: "Re: 2024-0117 – board update on the litigation reserve", truth: "m-2024-0117", cat: "number-subject",
			note: "number in a Re: subject whose original is not in the mailbox", body: `
Alice,

Thanks for the memo. The board approved a litigation reserve of USD 1.2 million for the dispute and asked for a quarterly update from outside counsel.

One director wanted to know whether proposing mediation before the motion is decided would look like weakness. Could you add two paragraphs on timing to the next update?

Dana`},
		{k: "a-opp3r", at: "01-29 10:02", fr: "dana", to: "alice", cc: "rosa", re: "a-opp3",
			truth: "m-2024-0117", cat: "thread-reply", note: "reply to a message whose number was only in its attachment name", body: `
Alice,

Two comments. On page 6 the amendment date should be 14 March 2022, not 4 March; I checked the signature block of the scan. And in Part II I would soften the sentence calling their position "frivolous" – the judge is known to dislike adjectives.

Otherwise we are happy for you to file.

Dana`},
		{k: "a-opp3f", at: "01-29 13:15", fr: "alice", to: "rosa", fwd: "a-opp3r",
			truth: "m-2024-0117", cat: "thread-forward", body: `
Rosa,

See Dana's comments below. Please correct the amendment date throughout (14 March 2022) and update the exhibit index before our call at four.

Thanks,
Alice`},
		{k: "a-stip", at: "01-30 10:02", fr: "marco", to: "alice",
			subj: "Stipulation extending the reply deadline", truth: "m-2024-0117", cat: "shared-counsel",
			note: "opposing counsel on two matters of two clients; the party named in the body decides", body: `
Ms. Harper,

Given the volume of exhibits we expect with your opposition, Beta Logistics LLC proposes a stipulation extending its reply deadline by fourteen days, to March 5, 2024. We would consent to a reciprocal extension should you seek leave to file a sur-reply.

The operative language would read: "The time for Defendant to serve and file its reply memorandum is extended to and including March 5, 2024."

Please let me know whether your client consents so that we can submit the stipulation to chambers this week.

Regards,
Marco Castellano`},
		{k: "a-ecf1", at: "02-06 16:47", fr: "ecf", to: "ecfto", form: fHTML, sys: "Inbox,Category Updates",
			subj:  "Activity in Case 3:24-cv-00117 Acme Widgets, Inc. v. Beta Logistics LLC Memorandum in Opposition to Motion",
			truth: "m-2024-0117", cat: "alias", note: "HTML-only court notice; the court address is a participant of three matters, the docket number decides",
			html: ecfHTML("3:24-cv-00117", "Acme Widgets, Inc. v. Beta Logistics LLC", "Harper, Alice",
				"MEMORANDUM OF LAW in Opposition re [17] MOTION to Dismiss for Lack of Jurisdiction filed by Acme Widgets, Inc. (Attachments: # 1 Declaration of R. Ostrowski, # 2 Exhibit A - C)")},
		{k: "a-rfp", at: "02-13 16:10", fr: "marco", to: "alice",
			subj: "Beta Logistics – First Set of Requests for Production", truth: "m-2024-0117", cat: "shared-counsel",
			note: "shared opposing counsel; the opposing party in the subject decides", body: `
Counsel,

Please find below Defendant's First Set of Requests for Production of Documents, served today by email by agreement of the parties.

REQUEST NO. 7: All communications between Plaintiff and any insurer concerning the claims asserted in the Complaint.
REQUEST NO. 8: All documents concerning the negotiation of the 2022 Amendment, including drafts exchanged with Defendant's procurement team.
REQUEST NO. 12: All board minutes of Plaintiff that refer to Defendant or this action.

Responses and objections are due within thirty days of service.

Marco Castellano`},
		{k: "a-rfpf", at: "02-14 12:00", fr: "alice", to: "rosa", fwdAs: "a-rfp",
			truth: "m-2024-0117", cat: "alias", note: "forward with the original attached as message/rfc822 (no References); the opposing party in the subject decides", body: `
Rosa,

Forwarding the first set of document requests, attached as received. Responses and objections are due thirty days after service, so on March 14.

Please set up a privilege screen on requests 7 through 12 and diarise March 1 for a first list of withheld categories.

Alice`},
		{k: "a-privlog", lab: lAcmeBeta, at: "02-19 14:30", fr: "alice", to: "dana",
			subj: "Our ref 2024-0117 – privilege log format", truth: "m-2024-0117", cat: "number-subject", body: `
Dana,

Before we start the privilege screen: the judge's standing order allows a categorical log for communications with counsel after the complaint was filed. I suggest we use it.

A categorical log saves roughly forty hours on the insurer correspondence alone. We would still log the pre-suit emails with your broker one by one, since the other side will fight about those.

Alice`},
		{k: "a-depo", at: "03-04 09:00", fr: "alice", to: "rick", cc: "dana",
			subj: "Re: [2024-0117] your deposition on March 21", truth: "m-2024-0117", cat: "number-subject",
			note: "number in brackets after Re:", body: `
Rick,

The deposition is confirmed for Thursday, March 21, starting at 9:30 at our offices. It will be videotaped and should not run beyond one day.

We will meet the day before to go through the documents you are likely to be shown, in particular your notes from the 2021 negotiations. Please do not prepare anything in writing for the session.

Best,
Alice`},
		{k: "a-depo2", lab: lAcmeBeta, at: "03-04 11:20", fr: "rick", to: "alice", cc: "dana", re: "a-depo",
			truth: "m-2024-0117", cat: "number-subject", body: `
Alice,

Thanks, March 21 is in my calendar. I can be in New York from the evening of the 19th.

I still have a paper notebook from the autumn 2021 meetings. Should I bring it, or is it better that it stays with me until you have seen it?

Rick`},
		{k: "a-prep", at: "03-05 15:00", fr: "dana", to: "alice", re: "a-depo2", split: true,
			subj: "Prep session – room and lunch", truth: "m-2024-0117", cat: "thread-reply", body: `
Alice,

For the prep session on the 20th: Rick lands at LaGuardia at 8 pm on the 19th and we booked him into the hotel on Hudson Street. Could your office book a room for the whole day and order lunch?

About the notebook: I told him to bring it and hand it to you first thing. I have not read it myself.

Dana`},
		{k: "a-sched", at: "03-12 10:00", fr: "alice", to: "marco", cc: "dana", lab: lAcmeBeta,
			subj: "Proposed deposition schedule", truth: "m-2024-0117", cat: "label",
			note: "sent mail whose only evidence is the matter label (shared counsel, shared client contact)", body: `
Marco,

Further to our call this morning, we propose the following schedule: our procurement manager on March 21; your client's chief operating officer on April 4; your client's 30(b)(6) designee on April 11. All depositions at our offices unless you prefer otherwise.

Please confirm by Friday so that we can serve the notices.

Alice`},
		{k: "a-sched2", at: "03-20 09:14", fr: "marco", to: "alice", cc: "dana", re: "a-sched",
			truth: "m-2024-0117", cat: "thread-reply", body: `
Alice,

The COO is travelling in the first week of April; we can offer April 9 instead. The 30(b)(6) date works. We would like to hold it at our offices, given the number of documents.

Regards,
Marco`},
		{k: "a-ecf2", at: "04-02 16:00", fr: "ecf", to: "ecfto", form: fHTML, sys: "Inbox,Category Updates", lab: lAcmeBeta,
			subj:  "Activity in Case 3:24-cv-00117 Acme Widgets, Inc. v. Beta Logistics LLC Order on Motion to Dismiss",
			truth: "m-2024-0117", cat: "alias", note: "HTML-only court notice with the matter label and the docket number",
			html: ecfHTML("3:24-cv-00117", "Acme Widgets, Inc. v. Beta Logistics LLC", "Court",
				"MEMORANDUM AND ORDER denying [17] Motion to Dismiss. Defendant shall answer the complaint within 14 days. Signed by Judge R. Amberley on 4/2/2024.")},
		{k: "a-denied", at: "04-02 17:10", fr: "alice", to: "dana", fwd: "a-ecf2", split: true,
			subj: "Motion to dismiss DENIED", truth: "m-2024-0117", cat: "thread-forward", body: `
Dana,

Good news: the court denied the motion to dismiss this afternoon. The order is below; the full memorandum is eleven pages and I will send you a summary tonight.

They must answer within fourteen days. Expect them to assert the arbitration clause again as a defence, but the court's reasoning makes that hard.

Alice`},
		{k: "a-denied2", at: "04-03 08:05", fr: "dana", to: "alice", re: "a-denied",
			truth: "m-2024-0117", cat: "thread-reply", body: `
Alice,

Fantastic news, thank you. I told the CFO and the board chair last night; both asked whether this changes the reserve. I said not yet.

Should we now raise mediation ourselves, or wait for their answer?

Dana`},
		{k: "a-med", at: "04-15 10:30", fr: "alice", to: "dana",
			subj: "2024-0117 – mediation proposal from the other side", truth: "m-2024-0117", cat: "number-subject", body: `
Dana,

Opposing counsel called this morning to propose a half-day mediation in May, before depositions resume. They suggested three retired judges as mediators.

I think it is worth doing now that the motion is decided. Let me know whether you want to discuss it with the board first.

Alice`},
		{k: "a-med2", at: "04-16 09:10", fr: "dana", to: "alice", re: "a-med", trap: "2024-0142",
			truth: "m-2024-0117", cat: "number-subject", note: "number in the subject; a PS mentions another matter's number in the body", body: `
Alice,

The board is fine with a mediation in May, provided we do not make the first offer. Please send me the three names and your view on each.

PS: Tom asks whether your invoice on 2024-0142 has gone out; he cannot find it in the portal.

Dana`},
		{k: "a-med3", at: "04-16 12:40", fr: "alice", to: "dana", re: "a-med2", split: true, trap: "2024-0142",
			subj: "Mediator shortlist", truth: "m-2024-0117", cat: "quoted-other-number",
			note: "the quoted PS names the number of the client's lease matter", body: `
Dana,

The three names are Judge Patricia Holloway (ret.), Judge Samuel Greer (ret.) and Diane Pak. Holloway is the most commercial and the most expensive; Greer knows the judge well; Pak is fast and very direct.

My preference is Holloway. I will ask accounts about the invoice separately.

Alice`},
		{k: "a-lconf", at: "05-09 11:00", fr: "alice", to: "reyes", lab: lAcmeBeta,
			subj: "2024-0262 – Markman hearing date", truth: "m-2024-0262", cat: "label-conflict",
			note: "the label of another matter was set by mistake; the number in the subject and the content decide", body: `
Tomás,

The court has set the claim construction hearing for July 18 at 10 am. Briefs are due four weeks before, so our opening brief is due on June 5.

I would like your engineers to review our proposed constructions of "wavelength-locking element" and "thermal drift compensation" by May 20.

Alice`},
		{k: "a-vendor", at: "05-20 15:00", fr: "vendor", to: "alice",
			subj: "Re: 2024-0117 – e-discovery collection quote for Acme custodians", truth: "m-2024-0117", cat: "number-subject",
			note: "vendor mail, number in the subject; multipart/alternative with script and a tracking pixel in the HTML", form: fAlt,
			html: `<html><head><style>p{font-family:Arial}</style>
<script type="text/javascript">document.location='https://tracker.example/redirect?c=QD-24-0311';</script>
</head><body onload="trackOpen()">
<p>Dear Ms. Harper,</p>
<p>Thank you for the call this morning. For the twelve Acme custodians we quote a flat collection fee of <b>USD 14,400</b>, including forensic imaging of six laptops and the export of the Microsoft 365 mailboxes.</p>
<p>Processing and hosting would be billed at USD 9 per gigabyte per month after culling. Quote reference QD-24-0311 is valid until 30 June 2024.</p>
<p><a href="https://portal.quillfield-ediscovery.example/accept?q=QD-24-0311" onclick="track(this)">Accept the quote online</a></p>
<p>Kind regards,<br>Priya Venkatesan<br>Quillfield Discovery</p>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="">
</body></html>`, body: `
Dear Ms. Harper,

Thank you for the call this morning. For the twelve Acme custodians we quote a flat collection fee of USD 14,400, including forensic imaging of six laptops and the export of the Microsoft 365 mailboxes.

Processing and hosting would be billed at USD 9 per gigabyte per month after culling. Quote reference QD-24-0311 is valid until 30 June 2024.

Kind regards,
Priya Venkatesan
Quillfield Discovery`},

		// ---- m-2024-0262 Lumen v. Brightline, c-2024-063, m-2024-0322 -----
		{k: "a-lx1", at: "02-20 09:00", fr: "alice", to: "reyes",
			subj: "2024-0262 – draft complaint against Brightline Photonics", truth: "m-2024-0262", cat: "number-subject", body: `
Tomás,

Attached to our shared folder is the draft complaint. We assert claims 1, 9 and 14 and plead willfulness based on the notice letter your CEO sent in 2022.

The weakest part is the claim chart for element 14(c). Could one of your engineers confirm how their module compensates for thermal drift?

Alice`},
		{k: "a-lx2", at: "02-21 13:30", fr: "reyes", to: "alice", re: "a-lx1", split: true,
			subj: "Claim chart – element 14(c)", truth: "m-2024-0262", cat: "thread-reply", body: `
Alice,

Our lead engineer took their module apart last week. It measures the laser temperature and shifts the grating angle in steps, which we think is exactly what element 14(c) describes.

She can write a two-page note with photographs by Friday. Would that be enough for the complaint, or do you need a formal declaration?

Tomás`},
		{k: "a-lx3", at: "02-21 16:05", fr: "alice", to: "reyes", re: "a-lx2",
			truth: "m-2024-0262", cat: "thread-reply", body: `
Tomás,

A note with photographs is perfect for now; we do not attach declarations to the complaint. Please make sure she keeps the disassembled module and logs who handled it.

We will need her as a witness later, so please ask her not to discuss her findings outside the legal team.

Alice`},
		{k: "a-ecf3", at: "03-01 11:02", fr: "ecf", to: "ecfto", form: fHTML, sys: "Inbox,Category Updates",
			subj:  "Activity in Case 1:24-cv-02291 Lumen Optics, Inc. v. Brightline Photonics, Inc. Complaint",
			truth: "m-2024-0262", cat: "alias", note: "HTML-only court notice from the shared court address; docket number decides",
			html: ecfHTML("1:24-cv-02291", "Lumen Optics, Inc. v. Brightline Photonics, Inc.", "Harper, Alice",
				"COMPLAINT for Patent Infringement against Brightline Photonics, Inc. filed by Lumen Optics, Inc. (Attachments: # 1 Exhibit A - U.S. Patent No. 10,884,213, # 2 Civil Cover Sheet)")},
		{k: "a-quist1", at: "03-15 10:20", fr: "quist", to: "alice",
			subj: "Extension of time to answer", truth: "m-2024-0262", cat: "participant",
			note: "opposing counsel listed on this matter only, though her firm's domain is shared", body: `
Dear Ms. Harper,

We have been retained by the defendant in the patent action your client filed on March 1. We would ask for a 30-day extension of the time to answer or otherwise respond to the complaint, to May 6.

If you agree, I will circulate a short stipulation today.

Best regards,
Hannah Quist`},
		{k: "a-quist2", at: "03-15 12:00", fr: "alice", to: "quist", re: "a-quist1",
			truth: "m-2024-0262", cat: "participant", body: `
Ms. Quist,

We agree to the extension to May 6, on the condition that your client does not move to transfer venue on grounds that could have been raised within the original period. Please include that in the stipulation.

Regards,
Alice Harper`},
		{k: "a-po", lab: lLumen, at: "04-22 17:30", fr: "quist", to: "alice",
			subj: "Protective order – two-tier designation", truth: "m-2024-0262", cat: "participant", body: `
Alice,

Attached to this email in our data room is our draft protective order. We propose two tiers, Confidential and Highly Confidential – Outside Counsel Only, with a prosecution bar of two years for anyone who sees source code.

Please let us have your comments by May 1.

Hannah`},
		{k: "a-pof", at: "04-23 08:15", fr: "alice", to: "reyes", fwd: "a-po",
			truth: "m-2024-0262", cat: "thread-forward", body: `
Tomás,

See below. The prosecution bar matters for you: if you see their source code, you could not prosecute patents in the field for two years. I suggest we keep you on the Confidential tier only.

Can we discuss on Thursday?

Alice`},
		{k: "a-korva1", at: "03-08 10:00", fr: "korva", to: "alice", cc: "reyes",
			subj: "C-2024-063 – royalty stacking clause", truth: "c-2024-063", cat: "number-subject", body: `
Dear Ms. Harper,

Thank you for the revised draft. We cannot accept a royalty stacking clause that reduces the royalty by less than half of any third-party royalty we must pay for the same product.

We would propose a floor of 2.5 percent of net sales. Could we discuss this on a call next week?

Kind regards,
Licensing Team`},
		{k: "a-korva2", at: "03-11 09:30", fr: "reyes", to: "alice",
			subj: "Korva – audit rights in the licence", truth: "c-2024-063", cat: "alias",
			note: "client contact on three targets; the licensee's name decides", body: `
Alice,

One more point on the licence: our finance team wants an audit right once a year, with the licensee paying the cost if the audit finds an underpayment of more than five percent.

Is that standard, and can we also ask for interest on late payments?

Tomás`},
		{k: "a-inval", lab: lLumen, at: "05-28 14:00", fr: "reyes", to: "alice",
			subj: "[2024-0262] invalidity contentions – prior art search", truth: "m-2024-0262", cat: "number-subject", body: `
Alice,

We ran our own search against the twelve references in their invalidity contentions. Only the 2014 Kobayashi paper worries our engineers; the others do not disclose any step-wise grating adjustment.

Can we get an expert view on Kobayashi before the claim construction brief?

Tomás`},
		{k: "a-lx9", at: "05-14 16:00", fr: "reyes", to: "alice",
			subj: "Export classification of the LX-9 module", truth: "m-2024-0322", cat: "alias",
			note: "product keyword of one matter; the contact works on three", body: `
Alice,

Different topic: a customer in Singapore asks for the export control classification of the LX-9 module before it places an order. Our logistics team thinks it falls under 6A005, but nobody has checked formally.

Could your regulatory colleagues take this on? It is not urgent, but the order is worth about USD 2 million.

Tomás`},
		{k: "a-two", at: "05-30 10:00", fr: "reyes", to: "alice", trap: "C-2024-063|Korva|Korva licence",
			subj: "2024-0262 / C-2024-063 – does the Korva licence cap our damages?", truth: "m-2024-0262", cat: "conflict-two-numbers",
			note: "two numbers in the subject; the question is about damages in the patent suit", body: `
Alice,

Their damages expert will certainly point to the royalty rate in our licence to Korva as a benchmark. Does that cap what we can claim as a reasonable royalty in the patent suit?

The licence was negotiated in a very different setting – a non-exclusive field-limited licence with a partner. I would like your view before our expert report.

Tomás`},
		{k: "a-claimcon", lab: lLumen, at: "06-05 18:20", fr: "alice", to: "reyes",
			subj: "2024-0262 – claim construction brief filed", truth: "m-2024-0262", cat: "number-subject", body: `
Tomás,

We filed our opening claim construction brief this evening. The brief runs to 24 pages and is supported by the declaration of Dr. Halvorsen on the meaning of "thermal drift compensation".

Their responsive brief is due on June 26.

Alice`},
		{k: "a-claimcon2", at: "06-06 09:45", fr: "reyes", to: "alice", re: "a-claimcon", split: true,
			subj: "Expert invoice", truth: "m-2024-0262", cat: "thread-reply", body: `
Alice,

Great work, thank you to the whole team. One practical point: Dr. Halvorsen's invoice came directly to us. Should we pay it or should it go through your firm as a disbursement?

Tomás`},

		// ---- m-2024-0175 Pellucid v. Marek --------------------------------
		{k: "a-mk1", lab: lMarek, at: "01-22 09:15", fr: "osei", to: "alice",
			subj: "Your ref 2024-0175 – forensic image of the laptop", truth: "m-2024-0175", cat: "number-subject", body: `
Alice,

Our IT team collected the laptop that our former CTO returned on his last day. They have not switched it on. Can your forensic vendor image it this week?

We also found that he synchronised a private cloud account with his work laptop two days before he resigned.

Richard`},
		{k: "a-mk2", at: "01-22 11:00", fr: "alice", to: "osei", re: "a-mk1", split: true,
			subj: "Chain of custody for the laptop image", truth: "m-2024-0175", cat: "thread-reply", body: `
Richard,

Please keep the laptop sealed and switched off. The vendor will collect it on Wednesday at 10; your IT lead should sign the chain-of-custody form with them.

The synchronisation is important. Please do not try to access the cloud account yourselves; we will ask the court for an order.

Alice`},
		{k: "a-mk3", at: "01-23 08:40", fr: "osei", to: "alice", re: "a-mk2",
			truth: "m-2024-0175", cat: "thread-reply", body: `
Alice,

Understood. Wednesday at 10 works; our IT lead is Marta Kowalski and she will be at reception.

Nobody has touched the cloud account.

Richard`},
		{k: "a-finch", lab: lMarek, at: "02-02 15:10", fr: "finch", to: "alice",
			subj: "Stipulated preservation order", truth: "m-2024-0175", cat: "participant", body: `
Ms. Harper,

We represent the defendant in the trade secrets action. To avoid motion practice, we propose a stipulated preservation order covering his personal devices and cloud accounts, with a neutral forensic examiner.

A draft is attached in our secure portal. We are available to discuss on Monday.

Adam Finch`},
		{k: "a-witness", at: "02-09 21:30", fr: "lmoreau", to: "alice",
			subj: "Project Lantern source code – what I saw", truth: "m-2024-0175", cat: "webmail",
			note: "a witness writing from gmail.example; the project keyword decides", body: `
Dear Ms. Harper,

I worked with Ivan at Pellucid until last summer. In November he showed me parts of the Project Lantern code on his personal laptop at a meetup in Brooklyn and said he would "take it somewhere it is appreciated".

I did not want to get involved, but I think you should know. I am happy to talk on the phone.

Luc Moreau`},
		{k: "a-ecf4", at: "03-18 17:05", fr: "ecf", to: "ecfto", form: fHTML, sys: "Inbox,Category Updates",
			subj:  "Activity in Case 1:24-cv-00561 Pellucid Software, Inc. v. Marek Order on Motion for Preliminary Injunction",
			truth: "m-2024-0175", cat: "alias", note: "HTML-only court notice from the shared court address; docket number decides",
			html: ecfHTML("1:24-cv-00561", "Pellucid Software, Inc. v. Marek", "Court",
				"ORDER granting [12] Motion for Preliminary Injunction. Defendant is enjoined from using or disclosing Plaintiff's source code pending trial. Signed by Judge L. Okafor-Reyes on 3/18/2024.")},
		{k: "a-mkdepo", at: "04-24 10:00", fr: "alice", to: "osei",
			subj: "2024-0175 – deposition outline", truth: "m-2024-0175", cat: "number-subject", body: `
Richard,

I attach nothing today, but I have finished the outline for his deposition on May 8. It runs to six topics, starting with the cloud synchronisation and ending with his new employer's product roadmap.

Could we walk through it on Friday? I need your help on the technical terms.

Alice`},
		{k: "a-mkdepo2", at: "04-25 08:30", fr: "osei", to: "alice", re: "a-mkdepo", split: true,
			subj: "Documents to show him", truth: "m-2024-0175", cat: "thread-reply", body: `
Alice,

Friday at 2 works. I would add the exit interview form he signed, where he confirmed that he had returned all company material. It is short and he cannot deny his signature.

Richard`},
		{k: "a-newm", at: "06-20 11:00", fr: "osei", to: "alice",
			subj: "New issue: former sales rep soliciting customers", truth: "none", cat: "new-matter",
			note: "client contact asks for help on a new dispute for which no matter is open", body: `
Alice,

Something new, unrelated to the case you are running for us. A sales rep who left in April is contacting our customers and offering them a competitor's product at a discount. His contract has a twelve-month non-solicitation clause governed by California law.

Could you tell me whether this is worth pursuing, and who at your firm would handle it?

Richard`},

		// ---- m-2024-0297 Marlow v. Copperleaf -----------------------------
		{k: "a-mw1", at: "02-26 09:00", fr: "baptiste", to: "alice", lab: lMarlow,
			subj: "2024-0297 – demand letter received", truth: "m-2024-0297", cat: "number-subject", body: `
Alice,

As discussed, we received the demand letter on Friday. They claim that our 2021 fund's subscription documents misstated the fee waiver and ask for USD 4.8 million plus interest.

Please treat this as privileged. I have not told the investment committee yet.

Lucie`},
		{k: "a-mw2", at: "02-26 14:20", fr: "alice", to: "baptiste", re: "a-mw1", split: true,
			subj: "Litigation hold for the Growth II deal team", truth: "m-2024-0297", cat: "thread-reply", body: `
Lucie,

The first step is a litigation hold. Please send the attached notice to everyone on the Growth II deal team and to your investor relations staff, and ask IT to suspend automatic deletion for their mailboxes.

I will prepare a short memo for the investment committee by Thursday.

Alice`},
		{k: "a-mw3", at: "02-27 10:05", fr: "baptiste", to: "alice", re: "a-mw2",
			truth: "m-2024-0297", cat: "thread-reply", body: `
Alice,

Done: fourteen people received the notice and IT confirmed the suspension this morning. One former partner left in 2022; his mailbox was archived, not deleted.

Lucie`},
		{k: "a-toll", at: "03-07 11:30", fr: "marco", to: "alice", cc: "baptiste",
			subj: "Marlow Family Office / Copperleaf – tolling agreement", truth: "m-2024-0297", cat: "shared-counsel",
			note: "the same opposing counsel as in m-2024-0117; the opposing party in the subject decides", body: `
Alice,

To give the parties room to talk, my client would enter into a tolling agreement for 90 days. A draft is below; it is the form we used in a similar matter last year.

Please let me know whether your client agrees.

Marco`},
		{k: "a-toll2", at: "03-08 09:00", fr: "alice", to: "marco", cc: "baptiste", re: "a-toll",
			truth: "m-2024-0297", cat: "shared-counsel", body: `
Marco,

My client agrees in principle. Two changes: the agreement should also suspend any contractual limitation in the subscription documents, and either party may end it on 15 days' notice.

Alice`},
		{k: "a-follow", at: "04-10 18:00", fr: "marco", to: "alice",
			subj: "Follow-up from today's call", truth: "m-2024-0297", cat: "shared-counsel",
			note: "shared opposing counsel, no party in the subject; the body names the investor", body: `
Alice,

Thank you for the call. As agreed, Marlow Family Office will produce the side letter correspondence with your client's investor relations team by April 24, and your client will produce the fee waiver calculations for 2021 and 2022.

We will then decide whether a mediation makes sense.

Marco`},
		{k: "a-chancery", at: "04-18 13:00", fr: "baptiste", to: "alice", trap: "2024-0142",
			subj: "The Chancery decision they rely on", truth: "m-2024-0297", cat: "misleading-number",
			note: "a Delaware Chancery case number (2024-0142-LWW) looks like the number of another matter", body: `
Alice,

Their latest letter relies on In re Halvorsen Capital Partners, C.A. No. 2024-0142-LWW (Del. Ch. Mar. 28, 2024), for the idea that a fee waiver must be disclosed in the offering memorandum.

Could you check whether that case really helps Marlow Family Office? It was a merger case, as far as I can tell.

Lucie`},

		// ---- m-2024-0190 Estate of Harold Ellery --------------------------
		{k: "a-el1", at: "01-30 20:15", fr: "margaret", to: "alice",
			subj: "Harold's will – Simon has been to see a lawyer", truth: "m-2024-0190", cat: "webmail",
			note: "the client writes from gmail.example; only her full address identifies her", body: `
Dear Alice,

Thank you for seeing me last week. I have just heard from my sister-in-law that Simon has been to see a lawyer about his father's will. He told her that Harold was "not himself" when he signed it in 2021.

I do not know what to do now. Should I answer him if he writes to me?

Best wishes,
Margaret`},
		{k: "a-el2", at: "01-31 09:00", fr: "alice", to: "margaret", re: "a-el1",
			truth: "m-2024-0190", cat: "participant", note: "reply to the webmail client: her full address is a participant of this matter only", body: `
Dear Margaret,

Please do not answer Simon or his lawyer directly; forward anything you receive to me. The will was signed in front of two witnesses and Harold's doctor saw him the same month, which will help us.

I will call you this afternoon to explain the next steps.

Best regards,
Alice`},
		{k: "a-voss", lab: lEllery, at: "02-15 16:40", fr: "tvoss", to: "alice",
			subj: "Estate of Harold Ellery – notice of objections to probate", truth: "m-2024-0190", cat: "participant", body: `
Dear Ms. Harper,

We represent Simon Ellery. Please find below our client's notice of objections to the probate of the 2021 will, filed today with the Surrogate's Court.

Our client contends that the decedent lacked testamentary capacity and that the will was procured by undue influence. We request the production of the decedent's medical records for 2020 and 2021.

Thomas Voss`},
		{k: "a-el3", at: "02-16 10:00", fr: "alice", to: "margaret", lab: lEllery,
			subj: "2024-0190 – Simon's objections: next steps", truth: "m-2024-0190", cat: "number-subject", body: `
Dear Margaret,

Simon's lawyers filed their objections yesterday. This was expected. The next step is discovery: each side may ask for documents and question the witnesses to the will.

Could you find Harold's appointment diary for 2021 and the name of the doctor who saw him that spring?

Best regards,
Alice`},
		{k: "a-el4", at: "02-17 11:22", fr: "margaret", to: "alice", re: "a-el3",
			truth: "m-2024-0190", cat: "number-subject", body: `
Dear Alice,

I found the diary in his desk. His doctor was Dr. Feinberg at the clinic on Amsterdam Avenue; Harold saw him on 3 May 2021, two weeks before he signed.

Shall I post the diary to you or bring it in?

Margaret`},
		{k: "a-el5", at: "03-20 19:02", fr: "margaret", to: "alice",
			subj: "Keys to the cottage", truth: "m-2024-0190", cat: "webmail", body: `
Dear Alice,

Simon has asked for a key to Rookery Cottage to "collect some things of his father's". I have not answered. Do I have to give him one?

Margaret`},
		{k: "a-el6", at: "06-12 21:10", fr: "margaret", to: "alice",
			subj: "Mediation day – may my daughter come with me?", truth: "m-2024-0190", cat: "webmail", body: `
Dear Alice,

For the mediation on the 27th, may my daughter Claire come with me? She will not say anything, but I would feel better with her there.

Also, should I bring lunch, or is food provided?

Margaret`},
		{k: "a-el7", at: "06-13 08:30", fr: "alice", to: "margaret", re: "a-el6",
			truth: "m-2024-0190", cat: "participant", note: "reply to the webmail client: her full address is a participant of this matter only", body: `
Dear Margaret,

Of course Claire may come; she will need to sign the confidentiality agreement at the start, like everyone else. Lunch is provided.

I will call you next week to prepare the day.

Alice`},

		// ---- m-2024-0288 HARVEST MOON -------------------------------------
		{k: "a-hv1", lab: lHarvest, at: "02-12 10:15", fr: "alice", to: "fenella",
			subj: "2024-0288 – Harvest opposition: evidence of use", truth: "m-2024-0288", cat: "number-subject",
			att: []att{{name: "Northwind_HARVEST_UK_sales_2018-2023.csv", ctype: "text/plain", data: "year,units,net_revenue_gbp\n2018,412300,1649200\n2019,538900,2210490\n2020,301750,1297525\n2021,602100,2649240\n2022,688400,3166640\n2023,731050,3508040\n"}}, body: `
Fenella,

For the evidence in chief we need to show continuous use of your mark for chilled ready meals since 2018. I prepared a schedule of UK sales by year from the figures your finance team sent in January; please check the 2020 row, which looks low.

Alice`},
		{k: "a-hv2", at: "02-13 09:20", fr: "fenella", to: "alice", re: "a-hv1",
			truth: "m-2024-0288", cat: "number-subject", body: `
Hi Alice,

The 2020 figure is right, sadly: our Leeds plant was closed for eleven weeks during the lockdown. Our supply chain director can give a witness statement explaining the dip.

Fenella`},
		{k: "a-tm", lab: lHarvest, at: "02-20 08:00", fr: "tmreg", to: "alice", form: fHTML, sys: "Inbox,Category Updates",
			subj:  "Opposition OP000584127 (HARVEST MOON): period for evidence in chief",
			truth: "m-2024-0288", cat: "participant", note: "HTML-only registry notice; the registry address is listed on this matter only",
			html: `<html><body><h2>Notice of period for evidence</h2>
<p>Opposition number: <b>OP000584127</b><br>Application: HARVEST MOON, classes 29 and 30<br>Applicant: Harvest Moon Provisions Ltd</p>
<p>The opponent must file evidence in chief within two months of the date of this notice. Evidence filed late will be admitted only with the permission of the hearing officer.</p>
<p>This mailbox is not monitored.</p></body></html>`},
		{k: "a-wp", lab: lHarvest, at: "03-05 12:00", fr: "thorne", to: "alice",
			subj: "HARVEST MOON opposition – without prejudice proposal", truth: "m-2024-0288", cat: "participant", body: `
Dear Alice,

Without prejudice. Our client would withdraw the application for class 29 and limit class 30 to bakery products, if your client withdraws the opposition and agrees not to object to the use of HARVEST MOON for bread.

Please let me know your client's position by 19 March.

Imogen Thorne`},
		{k: "a-wpf", at: "03-05 13:10", fr: "alice", to: "fenella", fwd: "a-wp", split: true,
			subj: "Settlement proposal from the other side", truth: "m-2024-0288", cat: "thread-forward", body: `
Fenella,

A settlement proposal arrived this morning, see below. It gives you most of what you need: no chilled meals, no class 29. The question is whether you can live with their use for bread.

Can we talk tomorrow?

Alice`},
		{k: "a-wpf2", at: "03-06 09:00", fr: "fenella", to: "alice", re: "a-wpf",
			truth: "m-2024-0288", cat: "thread-reply", body: `
Alice,

Our marketing team is relaxed about bread, as long as they do not use a crescent moon logo like ours. Could we ask for that?

Tomorrow at 2 pm UK time works.

Fenella`},
		{k: "a-hv3", at: "04-29 09:00", fr: "fenella", to: "alice",
			subj: "Re: 2024-0288 – signed settlement agreement", truth: "m-2024-0288", cat: "number-subject", body: `
Alice,

Our CEO signed the settlement agreement this morning; the scan is in the data room. Please let me know once the other side has countersigned so that we can withdraw the opposition.

Fenella`},

		// ---- m-2023-0412 W-200 recall (closed) ----------------------------
		{k: "a-w200", at: "03-27 14:00", fr: "dana", to: "alice",
			subj: "CPSC follow-up letter on the W-200 hinges", truth: "m-2023-0412", cat: "closed",
			note: "about the closed recall matter, by keyword; the contact works on all of the client's targets", body: `
Alice,

We received a follow-up letter from the Commission about the W-200 hinges we recalled in 2023. They ask for updated figures on returned units and any new incident reports.

I know we closed the file in December. Can you reopen it, or should we answer ourselves?

Dana`},

		// ---- not matter-related --------------------------------------------
		{k: "a-dinner", at: "01-19 19:40", fr: "maggie", to: "alice",
			subj: "Dinner Saturday?", truth: "none", cat: "not-matter", note: "personal mail from gmail.example, generic label by mistake", body: `
Hi Alice!

Are you and Sam free on Saturday? We are trying the new Georgian place on Court Street at 7.30. Bring the kids if you cannot find a sitter.

x Maggie`},
		{k: "a-lw", at: "02-01 06:00", fr: "legalwire", to: "alice", form: fHTML, sys: "Inbox,Category Updates",
			subj: "Litigation Daily: Second Circuit narrows forum-selection clauses in shipping contracts", truth: "none", cat: "not-matter",
			note: "HTML newsletter on a topic close to a matter, generic label by mistake",
			html: `<html><body><h1>Litigation Daily</h1>
<p><b>Second Circuit narrows forum-selection clauses.</b> A panel held that a later amendment replacing a dispute-resolution article displaces an earlier arbitration clause, even where the amendment is silent on arbitration.</p>
<p><b>Sanctions for AI-drafted briefs.</b> Two more district courts adopted standing orders on generative AI.</p>
<p><a href="https://legalwire.example/unsubscribe">Unsubscribe</a></p></body></html>`},
		{k: "a-spam", at: "03-14 03:12", fr: "phish", to: "alice", trap: "2024-0142",
			subj: "Invoice 2024-0142 overdue – final notice", truth: "none", cat: "misleading-number",
			note: "phishing; the invoice number equals a matter number", body: `
Dear customer,

Invoice 2024-0142 is overdue. To avoid collection fees please review and pay the invoice within 24 hours using the secure link below.

https://invoice-notice.example/pay?ref=2024-0142

Accounts Receivable`},
		{k: "a-time", at: "04-05 17:00", fr: "accounts", to: "alice", trap: "2024-0117|2024-0262|2024-0297",
			subj: "Unbilled time – week 14", truth: "none", cat: "admin-numbers",
			note: "firm admin listing three matter numbers", body: `
Dear Alice,

Our records show no time entries for Tuesday and Wednesday of week 14. Your team recorded time on 2024-0117, 2024-0262 and 2024-0297 that week; please check whether your own entries are missing.

Month-end closes on Monday.

Accounts`},
		{k: "a-cle", at: "05-02 10:00", fr: "cle", to: "alice", sys: "Inbox,Category Updates",
			subj: "Your Q1 2024 CLE certificate is ready", truth: "none", cat: "not-matter", body: `
Dear Ms. Harper,

Your certificate for "Ethics in E-Discovery" (2.0 credit hours, ethics) is ready for download in your member account.

Bar Association CLE`},
	}
}

func benMail() []msg {
	return []msg{
		// ---- m-2024-0142 Dortmund lease ------------------------------------
		{k: "b-nach", at: "01-18 10:30", fr: "lukas", to: "ben", form: fLatin1,
			subj: "Mietvertrag Lagerhalle Dortmund: Nachtrag Nr. 2 (Übergabe, Schlüssel)", truth: "m-2024-0142", cat: "participant",
			note: "landlord's contact, listed on this matter only; ISO-8859-1 quoted-printable body, UTF-8 Q-encoded German subject", body: `
Sehr geehrter Herr Okafor,

anbei erhalten Sie den Entwurf des Nachtrags Nr. 2 zum Mietvertrag. Er regelt die Übergabe der Halle 3b zum 1. März und die Anzahl der Schlüssel (zwölf Stück, davon zwei für die Sprinklerzentrale).

Wir bitten um Rückmeldung bis Ende Januar. Für Rückfragen stehe ich gern zur Verfügung.

Mit freundlichen Grüßen
Lukas Feldmann`},
		{k: "b-nach2", at: "01-18 15:02", fr: "ben", to: "lukas", re: "b-nach",
			truth: "m-2024-0142", cat: "participant", body: `
Dear Mr Feldmann,

Thank you for the draft addendum. Our client agrees with the handover date. We would like the handover protocol to list the condition of the loading doors and the sprinkler system, with photographs.

I will send a mark-up by 26 January.

Kind regards,
Ben Okafor`},
		{k: "b-roof", lab: lAcmeDort, at: "01-22 09:00", fr: "ben", to: "tom",
			subj: "2024-0142 Dortmund – roof repair invoice dispute", truth: "m-2024-0142", cat: "number-subject", body: `
Tom,

The landlord has invoiced EUR 38,400 for the roof repairs after the December storm and wants you to pay it as a service charge. Under clause 7.3 of the lease, structural repairs to the roof are the landlord's cost.

I suggest we reject the invoice in writing and offer to pay only the gutter cleaning (EUR 1,150).

Ben`},
		{k: "b-roof2", at: "01-22 14:30", fr: "tom", to: "ben", re: "b-roof",
			truth: "m-2024-0142", cat: "number-subject", body: `
Ben,

Agreed, please send the rejection. The site manager confirms that the damage was to the roof membrane, not the gutters.

Tom`},
		{k: "b-break", at: "02-05 11:00", fr: "ben", to: "dana", lab: lAcmeDort,
			subj: "Our ref 2024-0142 – break option analysis", truth: "m-2024-0142", cat: "number-subject", body: `
Dana,

As requested, a short analysis of the break option. You may end the lease on 31 December 2026 with twelve months' notice, so notice must reach the landlord by 31 December 2025 at the latest.

The break is conditional on vacant possession and payment of all rent due. There is no break penalty.

Ben`},
		{k: "b-break2", at: "02-05 16:20", fr: "dana", to: "ben", re: "b-break", split: true,
			subj: "Break option – board paper", truth: "m-2024-0142", cat: "thread-reply", body: `
Ben,

Very helpful. Could you turn this into a one-page paper for our board in March? They want to know the latest date for a decision and the cost of moving out.

Dana`},
		{k: "b-break3", at: "02-06 09:10", fr: "ben", to: "dana", re: "b-break2",
			truth: "m-2024-0142", cat: "thread-reply", body: `
Dana,

Yes, I will send the paper by 20 February. For the cost of moving out I will need an estimate of the reinstatement works; could your facilities team ask a contractor for a rough figure?

Ben`},
		{k: "b-keys", lab: lAcmeDort, at: "02-14 08:45", fr: "tom", to: "ben",
			subj: "Hall 3b keys – handover protocol", truth: "m-2024-0142", cat: "participant", body: `
Ben,

The landlord proposes to hand over the keys for hall 3b on 1 March at 9 am. I will attend with our site manager. Do you need to be there, or can we sign the protocol ourselves?

Tom`},
		{k: "b-keysf", at: "02-14 10:00", fr: "ben", to: "sam", fwd: "b-keys", split: true,
			subj: "Handover protocol – please diarise", truth: "m-2024-0142", cat: "thread-forward", body: `
Sam,

Please diarise 1 March and prepare a checklist for the client's site manager: meter readings, number of keys, photographs of the loading doors, and signatures of both parties on every page.

Ben`},
		{k: "b-nk", at: "03-01 09:30", fr: "lukas", to: "ben",
			subj: "Nebenkostenabrechnung 2023 – Hafenstraße 12", truth: "m-2024-0142", cat: "participant", body: `
Sehr geehrter Herr Okafor,

anbei die Nebenkostenabrechnung für 2023. Sie ergibt eine Nachzahlung von EUR 6.215,40, im Wesentlichen wegen gestiegener Energiekosten für die Außenbeleuchtung.

Die Belege können nach Terminvereinbarung in unserem Büro eingesehen werden.

Mit freundlichen Grüßen
Lukas Feldmann`},
		{k: "b-nk2", at: "03-01 15:00", fr: "ben", to: "lukas", re: "b-nk",
			truth: "m-2024-0142", cat: "participant", body: `
Dear Mr Feldmann,

Thank you. Our client would like to inspect the supporting documents before paying. Would 14 March at 10 am at your office suit you?

Kind regards,
Ben Okafor`},
		{k: "b-scan", at: "03-11 14:02", fr: "scanner", to: "ben", nosig: true,
			subj: "Message from HL-MFP-3F", truth: "m-2024-0142", cat: "number-attachment",
			note: "scanner mail; the number only in the PDF's file name",
			att:  []att{{name: "2024-0142_Uebergabeprotokoll_Halle3b.pdf", data: pdf("Uebergabeprotokoll - scan")}}, body: `
Please open the attached document. It was scanned and sent to you using HL-MFP-3F.

Number of Pages: 4
Attachment File Type: PDF
Device Name: HL-MFP-3F
Device Location: 3rd floor, Bread Street`},
		{k: "b-estop", at: "04-08 15:00", fr: "dana", to: "ben",
			subj: "Estoppel certificate for the lender", truth: "m-2024-0142", cat: "alias", body: `
Ben,

The landlord's bank asks us to sign an estoppel certificate for the Dortmund warehouse, confirming that the lease is in force and that no rent is in arrears. We dispute the roof invoice, so I am not comfortable signing it as it stands.

Can you propose wording that carves out the dispute?

Dana`},
		{k: "b-sprink", at: "05-20 10:00", fr: "ben", to: "tom", lab: lCorvid,
			subj: "2024-0142 – sprinkler test", truth: "m-2024-0142", cat: "label-conflict",
			note: "the label of the client's supply contract was set by mistake", body: `
Tom,

The landlord wants to carry out the annual sprinkler test on 4 June. Under the lease you must give access on reasonable notice, so we cannot refuse, but you may ask for the test to take place outside working hours.

Shall I ask for a Saturday?

Ben`},
		{k: "b-dilap", at: "06-10 11:00", fr: "ben", to: "tom",
			subj: "2024-0142 – dilapidations reserve", truth: "m-2024-0142", cat: "number-subject", body: `
Tom,

For your accounts: if you exercise the break, the landlord will claim for dilapidations. Based on the schedule of condition from 2021 I would reserve EUR 150,000 to 200,000.

Ben`},
		{k: "b-dilap2", at: "06-11 08:00", fr: "tom", to: "ben", re: "b-dilap",
			truth: "m-2024-0142", cat: "number-subject", body: `
Ben,

Thanks. Our controller will book EUR 175,000. Please let me know if the figure changes.

Tom`},

		// ---- c-2024-031 Corvid MSA ------------------------------------------
		{k: "b-cap", lab: lCorvid, at: "01-25 09:00", fr: "kenji", to: "ben",
			subj: "C-2024-031 MSA – supplier's comments on the liability cap (clause 14)", truth: "c-2024-031", cat: "number-subject", body: `
Ben,

The supplier came back on clause 14. They want to cap their liability at 100 percent of the annual contract value and exclude lost production entirely.

For us, lost production is the main risk. Can we hold out for 200 percent and a carve-out for recall costs?

Kenji`},
		{k: "b-cap2", at: "01-25 17:40", fr: "ben", to: "kenji", re: "b-cap",
			truth: "c-2024-031", cat: "number-subject", body: `
Kenji,

200 percent is ambitious but defensible for a sole-source part. I would insist on the recall carve-out; that is where your exposure lies. Lost production we may have to trade.

I will prepare a counter-proposal for Monday.

Ben`},
		{k: "b-cl14", lab: lCorvid, at: "01-29 12:10", fr: "lcarter", to: "ben",
			subj: "Supply agreement – our revised clause 14", truth: "c-2024-031", cat: "domain",
			note: "a supplier employee who is not listed; the supplier's domain belongs to this contract only", body: `
Dear Ben,

Following our call, we can offer a cap of 150 percent of annual spend with a separate cap of GBP 2 million for recall costs. Lost production stays excluded.

This is as far as our insurers allow us to go.

Kind regards,
Liam Carter`},
		{k: "b-cl14f", at: "01-29 14:00", fr: "ben", to: "dana", fwd: "b-cl14",
			truth: "c-2024-031", cat: "thread-forward", body: `
Dana,

The other side's revised cap is below. I recommend accepting it: the recall cap is what matters most, and 150 percent is above market for this kind of part.

Ben`},
		{k: "b-cl14r", at: "01-29 16:30", fr: "dana", to: "ben", re: "b-cl14f",
			truth: "c-2024-031", cat: "thread-reply", body: `
Ben,

Agreed. Please accept on our behalf and ask for the execution version by the end of next week.

Dana`},
		{k: "b-exec", at: "02-12 10:00", fr: "ben", to: "dana",
			subj: "Execution version and signature pages", truth: "c-2024-031", cat: "number-attachment",
			att: []att{{name: "C-2024-031_MSA_execution_version.pdf", data: pdf("Master supply agreement - execution version")}}, body: `
Dana,

Attached is the execution version with all agreed changes. Please print, sign and scan the signature pages only; the other side will sign in counterpart.

Ben`},
		{k: "b-exec2", at: "02-13 09:45", fr: "dana", to: "ben", re: "b-exec",
			truth: "c-2024-031", cat: "thread-reply",
			att: []att{{name: "signature_pages_signed.pdf", data: pdf("Signature pages - signed")}}, body: `
Ben,

Signed pages attached. Our CEO signed this morning.

Dana`},
		{k: "b-indem", lab: lCorvid, at: "02-20 13:00", fr: "grace", to: "ben",
			subj: "Quick question on the indemnity", truth: "c-2024-031", cat: "participant", body: `
Ben,

One question before we release our signature: does the IP indemnity in clause 15 cover designs your client provides to us, or only our own designs? Our insurers asked.

Grace`},
		{k: "b-two", at: "05-15 16:00", fr: "dana", to: "ben", trap: "2024-0142",
			subj: "C-2024-031 / 2024-0142 – supplier deliveries to the Dortmund site", truth: "c-2024-031", cat: "conflict-two-numbers",
			note: "two numbers; the question is about the delivery clause of the supply contract", body: `
Ben,

From July the supplier should deliver to our Dortmund site instead of Rotterdam. Does schedule 2 of the supply agreement let us change the delivery point by notice, or do we need an amendment? Who bears the extra freight?

Dana`},

		// ---- Fairhaven --------------------------------------------------------
		{k: "b-ac1", at: "02-01 09:20", fr: "quayle", to: "ben", lab: lAlder,
			subj: "2024-0208 – Alder Court: three new letters of claim", truth: "m-2024-0208", cat: "number-subject", body: `
Ben,

We received three more letters of claim for flats 4, 9 and 17, all alleging damp and mould. That brings the total to eleven. The claimants' solicitors ask for inspections within 20 working days.

Martin`},
		{k: "b-ac2", at: "02-01 12:00", fr: "ben", to: "quayle", re: "b-ac1", split: true,
			subj: "Inspection dates for flats 4, 9 and 17", truth: "m-2024-0208", cat: "thread-reply", body: `
Martin,

We should offer joint inspections with a single surveyor for all three flats, on the same day if possible. Could your repairs team propose dates in the week of 19 February?

Ben`},
		{k: "b-ac3", at: "02-02 08:50", fr: "quayle", to: "ben", re: "b-ac2",
			truth: "m-2024-0208", cat: "thread-reply", body: `
Ben,

Wednesday 21 February works for all three tenants. The surveyor can start at 9.30.

Martin`},
		{k: "b-redfern", lab: lAlder, at: "02-08 10:00", fr: "redfern", to: "ben",
			subj: "Your client: Fairhaven Housing Association – our clients: residents of Alder Court", truth: "m-2024-0208", cat: "participant", body: `
Dear Sirs,

We refer to the letters of claim for our eleven clients. We note that your client has not yet offered a date for the inspection of flat 12 and ask for a date within seven days.

Yours faithfully,
Redfern Law`},
		{k: "b-loi", at: "02-20 17:00", fr: "ben", to: "quayle",
			subj: "Expert surveyor – letter of instruction", truth: "m-2024-0208", cat: "number-attachment",
			att: []att{{name: "2024-0208_LOI_surveyor.docx", data: "PK stub: letter of instruction to the single joint surveyor"}}, body: `
Martin,

Attached is the draft letter of instruction to the surveyor. Please check the list of flats and the questions in section 3, in particular whether the mould is caused by condensation or by penetrating damp.

Ben`},
		{k: "b-loi2", at: "02-21 09:15", fr: "quayle", to: "ben", re: "b-loi",
			truth: "m-2024-0208", cat: "thread-reply", body: `
Ben,

Looks good. Please add a question about ventilation: several tenants have blocked the trickle vents.

Martin`},
		{k: "b-bh1", at: "03-12 09:00", fr: "quayle", to: "ben",
			subj: "Beech House – service charge application", truth: "m-2024-0316", cat: "alias",
			note: "client contact on three targets; the building's name decides", body: `
Ben,

Two leaseholders at Beech House have applied to the tribunal to challenge the 2022/23 service charges, mainly the cost of the new door entry system. Could you take this on?

Martin`},
		{k: "b-bh2", at: "03-13 10:30", fr: "ben", to: "quayle", re: "b-bh1", split: true,
			subj: "Tribunal fee and hearing bundle", truth: "m-2024-0316", cat: "thread-reply", body: `
Martin,

Yes, happy to. Please send me the consultation notices for the door entry works; if the consultation was not done properly, recovery is capped at GBP 250 per leaseholder.

Ben`},
		{k: "b-lr", at: "03-06 10:00", fr: "landreg", to: "ben", trap: "2024-0316", sys: "Inbox,Category Updates",
			subj: "Application reference 2024-0316 – official search with priority", truth: "m-2024-0231", cat: "misleading-number",
			note: "a land registry application reference equals another matter's number; the hotel's name decides", body: `
Your application has been received.

Application reference: 2024-0316
Type: Official search of whole with priority
Title: ESX412877 (Seagrove Hotel, Marine Parade, Brighton)
Priority expires: 17 April 2024

Do not reply to this email.`},
		{k: "b-ftt", at: "04-16 12:00", fr: "rpt", to: "ben", trap: "2024/0117",
			subj: "Case reference LON/00AB/LSC/2024/0117 – directions", truth: "m-2024-0316", cat: "misleading-number",
			note: "the tribunal's case reference ends in 2024/0117, close to another matter's number", body: `
Case reference: LON/00AB/LSC/2024/0117
Property: Beech House

The tribunal has issued directions. The respondent must send the applicants copies of the service charge accounts and invoices by 14 May 2024. The hearing is listed for 9 July 2024.

First-tier Tribunal (Property Chamber)`},
		{k: "b-bh3", at: "06-03 11:00", fr: "ben", to: "quayle",
			subj: "2024-0316 – tribunal directions: timetable", truth: "m-2024-0316", cat: "number-subject", body: `
Martin,

A reminder of the timetable: our statement of case is due on 18 June, the bundle on 25 June, the hearing is on 9 July.

Ben`},
		{k: "b-bh4", at: "06-04 09:00", fr: "quayle", to: "ben", re: "b-bh3", split: true,
			subj: "Disclosure of the 2022/23 accounts", truth: "m-2024-0316", cat: "thread-reply", body: `
Ben,

Our finance team found two invoices for the door entry system that were charged twice. We should probably concede those before the hearing.

Martin`},
		{k: "b-apex", at: "04-02 14:00", fr: "apex", to: "ben",
			subj: "Roofing works framework – clarification questions (lot 2)", truth: "c-2024-061", cat: "participant", body: `
Dear Mr Okafor,

We have three clarification questions on lot 2: whether the price schedule includes scaffolding, whether the retention is 3 or 5 percent, and whether the framework allows a price review after year two.

Bid Manager`},
		{k: "b-apexf", at: "04-03 09:00", fr: "ben", to: "quayle", fwd: "b-apex", split: true,
			subj: "Bidder clarification questions", truth: "c-2024-061", cat: "thread-forward", body: `
Martin,

Below are a bidder's clarification questions. Under the procurement rules the answers must go to all bidders. I suggest: scaffolding included; retention 5 percent; price review after year two linked to the construction index.

Ben`},
		{k: "b-award", at: "04-25 15:00", fr: "ben", to: "quayle",
			subj: "C-2024-061 – framework award letters", truth: "c-2024-061", cat: "number-subject", body: `
Martin,

The award letters are ready for your signature. The standstill period runs for ten days from the date we send them; we should not sign the framework before it ends.

Ben`},
		{k: "b-acsettle", at: "05-28 10:00", fr: "ben", to: "quayle",
			subj: "Settlement meeting – agenda", truth: "m-2024-0208", cat: "number-body", body: `
Our reference: 2024-0208

Martin,

For the settlement meeting on 5 June I propose this agenda: the surveyor's findings flat by flat, the repair programme, compensation per claimant, and the claimants' costs.

The claimants' solicitors have asked for GBP 3,500 per claimant in compensation. I think we can settle at around GBP 2,000.

Ben`},
		{k: "b-newm", at: "06-24 09:00", fr: "quayle", to: "ben",
			subj: "New instruction? Leaseholder at Rowan Mews", truth: "none", cat: "new-matter",
			note: "the client asks about new work for which no matter exists", body: `
Ben,

A leaseholder at Rowan Mews has built a conservatory without consent. Could your team advise on forfeiture? I will send the lease if you can take it on.

Martin`},

		// ---- Hollis ------------------------------------------------------------
		{k: "b-mill", at: "02-22 09:30", fr: "june", to: "ben",
			subj: "Mill Lane – landlord's schedule of dilapidations", truth: "m-2023-0388", cat: "closed",
			note: "about the closed lease matter; the contact is on both of the client's matters", body: `
Dear Ben,

Our old landlord at Mill Lane has sent us a schedule of dilapidations for GBP 18,000, eight months after we moved out. I thought all that was settled when you renewed and then ended the lease for us last year?

June`},
		{k: "b-millrec", at: "02-22 11:00", fr: "ben", to: "records",
			subj: "2023-0388 – please retrieve the Mill Lane lease file", truth: "m-2023-0388", cat: "closed", body: `
Hello,

Please retrieve the closed file for this matter, in particular the surrender deed and the correspondence about the schedule of condition.

Thanks,
Ben`},
		{k: "b-gran1", at: "03-18 08:10", fr: "june", to: "ben",
			subj: "Granary Mills have stopped deliveries", truth: "m-2024-0251", cat: "alias", body: `
Ben,

Granary Mills did not deliver this morning and say they will not deliver again until we pay the disputed invoices. We have flour for three days.

What can we do?

June`},
		{k: "b-gran2", at: "03-18 12:30", fr: "ben", to: "june", re: "b-gran1",
			truth: "m-2024-0251", cat: "alias", body: `
June,

Under your supply agreement they must give 30 days' notice before suspending deliveries, so they are in breach. I will write to them today. In the meantime, please order from another mill to keep going; we will claim the extra cost.

Ben`},
		{k: "b-gran3", at: "03-25 16:00", fr: "ben", to: "june",
			subj: "2024-0251 – letter before action", truth: "m-2024-0251", cat: "number-subject", body: `
June,

Here is the draft letter before action. It claims the extra cost of the replacement flour (GBP 4,260 so far) and asks them to resume deliveries within seven days.

Please check the figures before I send it.

Ben`},
		{k: "b-gran4", at: "03-26 07:45", fr: "june", to: "ben", re: "b-gran3", split: true,
			subj: "Happy for the letter to go", truth: "m-2024-0251", cat: "thread-reply", body: `
Ben,

The figures are right. Please send it.

June`},

		// ---- c-2024-069 Vantor fleet lease ---------------------------------------
		{k: "b-calder", at: "02-27 10:00", fr: "calder", to: "ben",
			subj: "Fleet lease – 42 tractor units, schedule 3", truth: "c-2024-069", cat: "participant", body: `
Dear Mr Okafor,

Please find our comments on schedule 3. We can accept a maximum annual mileage of 140,000 km per unit, with excess mileage charged at 9 pence per km.

Contract Hire Team`},
		{k: "b-guar", at: "03-04 09:30", fr: "sorensen", to: "ben",
			subj: "C-2024-069 fleet lease – parent company guarantee", truth: "c-2024-069", cat: "number-subject", body: `
Ben,

The lessor insists on a guarantee from Vantor Group Holdings. Our board will only give one capped at twelve months' rent. Can you negotiate that?

Helle`},
		{k: "b-guar2", at: "03-05 11:00", fr: "ben", to: "sorensen", re: "b-guar", split: true,
			subj: "Guarantee cap – board approval", truth: "c-2024-069", cat: "thread-reply", body: `
Helle,

I think a cap at twelve months' rent is achievable if the guarantee falls away after three years of timely payment. I will put that to them. Please make sure the board minute authorises a capped guarantee, not an unlimited one.

Ben`},
		{k: "b-csign", at: "06-17 14:00", fr: "ben", to: "calder", cc: "sorensen",
			subj: "C-2024-069 – signing arrangements", truth: "c-2024-069", cat: "number-subject", body: `
Dear all,

We propose to sign on 21 June by DocuSign. The guarantee will be signed by two directors of the parent company on the same day.

Kind regards,
Ben Okafor`},

		// ---- c-2024-052 Northwind co-packing -----------------------------------
		{k: "b-brisk", at: "03-19 09:00", fr: "brisk", to: "ben",
			subj: "Co-packing agreement – our mark-up", truth: "c-2024-052", cat: "participant", body: `
Dear Ben,

Please find our mark-up in the data room. Our main points are a minimum annual volume of 400,000 units and a right to pass on increases in packaging costs.

Legal Team`},
		{k: "b-cp1", at: "03-20 10:00", fr: "ben", to: "fenella",
			subj: "C-2024-052 co-packing – open points list", truth: "c-2024-052", cat: "number-subject",
			att: []att{{name: "open_points.txt", ctype: "text/plain", data: "1. Minimum volume 400,000 units\n2. Packaging cost pass-through\n3. Allergen controls\n4. Audit rights\n"}}, body: `
Fenella,

Attached is the list of open points after their mark-up. The minimum volume is the biggest issue; your forecast for next year is 350,000 units.

Ben`},
		{k: "b-cp2", at: "03-21 09:00", fr: "fenella", to: "ben", re: "b-cp1",
			truth: "c-2024-052", cat: "number-subject", body: `
Ben,

We could accept 350,000 units with a shortfall payment, but not 400,000. Packaging costs can be passed on only with evidence.

Fenella`},
		{k: "b-cp3", at: "03-22 11:30", fr: "ben", to: "fenella", re: "b-cp2", split: true,
			subj: "Allergen controls clause", truth: "c-2024-052", cat: "thread-reply", body: `
Fenella,

Understood. One more point: the allergen clause should oblige them to run your products on a dedicated line, or at least after a full clean-down. Your technical team should confirm what you need.

Ben`},

		// ---- c-2024-044 Greenfield catering -------------------------------------
		{k: "b-cat1", at: "04-15 12:00", fr: "greenproc", to: "ben",
			subj: "Catering framework – evaluation panel", truth: "c-2024-044", cat: "participant", body: `
Dear Ben,

The evaluation panel has scored the four bids. Can the panel chair sign the evaluation report electronically, or does it need a wet signature?

Procurement Team`},
		{k: "b-cat2", at: "04-17 09:00", fr: "ben", to: "greenproc", re: "b-cat1",
			truth: "c-2024-044", cat: "participant", body: `
Dear colleagues,

An electronic signature is fine. Please make sure each panel member has signed a conflict of interest declaration before the report is finalised.

Ben`},
		{k: "b-mealwise", at: "05-07 14:00", fr: "mealwise", to: "ben",
			subj: "Standstill letter – query", truth: "c-2024-044", cat: "participant", body: `
Dear Mr Okafor,

We received the standstill letter. Could you confirm the scores of the winning bidder on quality and price, which the letter does not state?

Bid Team`},

		// ---- m-2024-0231 Project Gull ---------------------------------------------
		{k: "b-gull1", at: "04-22 09:00", fr: "ruth", to: "ben", lab: lGull,
			subj: "2024-0231 Project Gull – title report", truth: "m-2024-0231", cat: "number-subject", body: `
Ben,

Could you prepare the title report on the hotel by 3 May? The seller's solicitors uploaded the title documents to the data room yesterday.

Ruth`},
		{k: "b-gull2", at: "04-23 10:00", fr: "ben", to: "ruth", re: "b-gull1", split: true,
			subj: "Title report – restrictive covenant on the car park", truth: "m-2024-0231", cat: "thread-reply", body: `
Ruth,

First finding: a 1968 covenant prohibits any building on the car park. Our client's plan for a spa extension would breach it. We may need indemnity insurance or a release from the neighbouring owner.

Ben`},
		{k: "b-gull3", at: "04-23 15:20", fr: "ruth", to: "ben", re: "b-gull2",
			truth: "m-2024-0231", cat: "thread-reply", body: `
Ben,

Good catch. Please get a quote for indemnity insurance; asking the neighbour would alert him to the deal.

Ruth`},
		{k: "b-hallett", lab: lGull, at: "05-02 16:00", fr: "hallett", to: "ben",
			subj: "Replies to enquiries (CPSE.1)", truth: "m-2024-0231", cat: "domain",
			note: "seller's solicitor, not listed himself; his firm's domain belongs to this matter only", body: `
Dear Ben,

Please find our client's replies to your enquiries in the data room. The replies to enquiries 4.2 and 12.1 will follow next week.

Kind regards,
Oliver Hallett`},
		{k: "b-compl", at: "06-18 09:00", fr: "ben", to: "ruth",
			subj: "2024-0231 – completion statement", truth: "m-2024-0231", cat: "number-subject", body: `
Ruth,

The completion statement is ready for your review. The purchase price is adjusted for the deposit and the apportionment of rates; the net balance due on completion is GBP 11,842,300.

Ben`},
		{k: "b-compl2", at: "06-18 14:00", fr: "ruth", to: "ben", re: "b-compl", split: true,
			subj: "Apportionment of the business rates", truth: "m-2024-0231", cat: "thread-reply", body: `
Ben,

The rates should be apportioned on a daily basis from 1 April, not by month. Please correct and send to the other side.

Ruth`},

		// ---- not matter-related ---------------------------------------------------
		{k: "b-lunch", at: "01-31 10:00", fr: "facilitieslon", to: "ben",
			subj: "Team lunch on Thursday – dietary requirements", truth: "none", cat: "not-matter", body: `
Hi all,

For Thursday's team lunch please let us know your dietary requirements by Tuesday noon.

Office Services`},
		{k: "b-order", at: "02-09 08:00", fr: "deskmate", to: "ben", sys: "Inbox,Category Updates", trap: "2024-0208",
			subj: "Your order 2024-0208 has shipped", truth: "none", cat: "misleading-number",
			note: "an office supplies order number equals a matter number", body: `
Hello Ben,

Good news: your order 2024-0208 (2 x ergonomic keyboard, 1 x monitor arm) has shipped and will arrive on Monday.

Deskmate Office Supplies`},
		{k: "b-lawsoc", at: "03-15 07:00", fr: "lawsoc", to: "ben", form: fHTML, sys: "Inbox,Category Updates",
			subj: "Property Law Update: what the Renters Reform Bill changes for landlords", truth: "none", cat: "not-matter",
			note: "HTML-only newsletter",
			html: `<html><body><h1>Property Law Update</h1>
<p>The Renters Reform Bill returns to the Commons next week. We summarise the changes to possession grounds and what they mean for social landlords.</p>
<p>Also in this issue: service charge disputes after the Building Safety Act.</p>
<p><a href="https://lawsociety-news.example/prefs">Manage your preferences</a></p></body></html>`},
		{k: "b-ticket", at: "04-04 13:00", fr: "it", to: "ben", trap: "2024-0190",
			subj: "[Ticket 2024-0190] Laptop replacement scheduled", truth: "none", cat: "misleading-number",
			note: "an IT ticket number equals a matter number", body: `
Hello Ben,

Your laptop replacement is scheduled for Tuesday 9 April at 2 pm. Please back up any local files beforehand.

Ticket: 2024-0190
Status: Scheduled`},
	}
}

func chloeMail() []msg {
	return []msg{
		// ---- m-2024-0203 Weber ----------------------------------------------
		{k: "c-w1", at: "01-10 09:00", fr: "jose", to: "chloe", lab: lWeber, subjB: true,
			subj: "2024-0203 – Kündigungsschutzklage Weber: Güteverhandlung am 12. März", truth: "m-2024-0203", cat: "number-subject",
			note: "number in a B-encoded UTF-8 subject; matter label with a comma (quoted in X-Gmail-Labels)", body: `
Liebe Frau Lindqvist,

das Arbeitsgericht hat die Güteverhandlung auf den 12. März um 10:30 Uhr gelegt. Herr Weber wird von Frau Brandt vertreten.

Wir möchten eine Abfindung nur anbieten, wenn das Gericht Zweifel an der Sozialauswahl äußert. Können wir uns vorher abstimmen?

Viele Grüße
José Müller`},
		{k: "c-w2", at: "01-10 14:00", fr: "chloe", to: "jose", re: "c-w1",
			truth: "m-2024-0203", cat: "number-subject", body: `
Lieber Herr Müller,

gern. Ich schlage einen Termin in der Woche vor der Verhandlung vor, etwa am 5. März. Bitte bringen Sie die Unterlagen zur Sozialauswahl mit, insbesondere die Punkteliste für die Abteilung Montage.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-w3", at: "01-11 08:30", fr: "jose", to: "chloe", re: "c-w2", split: true,
			subj: "Zeugen aus der Fertigung", truth: "m-2024-0203", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

der 5. März passt. Zwei Meister aus der Fertigung könnten bestätigen, dass die Stelle tatsächlich weggefallen ist. Sollen wir sie schon jetzt benennen?

Viele Grüße
José Müller`},
		{k: "c-w4", at: "01-12 10:00", fr: "chloe", to: "jose", re: "c-w3",
			truth: "m-2024-0203", cat: "thread-reply", body: `
Lieber Herr Müller,

für die Güteverhandlung brauchen wir noch keine Zeugen. Bitte notieren Sie aber schon jetzt Namen und Funktion der beiden Meister; wir benennen sie im Kammertermin, falls es dazu kommt.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-ladung", at: "01-15 11:00", fr: "arbg", to: "chloe", form: fHTML, sys: "Inbox",
			subj: "Ladung zum Gütetermin – 4 Ca 1187/24", truth: "m-2024-0203", cat: "participant",
			note: "HTML-only court summons; the court's address is listed on this matter only",
			html: `<html><body><p><b>Arbeitsgericht Frankfurt am Main</b></p>
<p>Aktenzeichen: 4 Ca 1187/24</p>
<p>In dem Rechtsstreit Weber ./. Müller Maschinenbau GmbH werden Sie zum Gütetermin am <b>12.03.2024, 10:30 Uhr</b>, Saal 2.14, geladen. Das persönliche Erscheinen der Parteien wird angeordnet.</p>
<p>Diese Nachricht wurde automatisch erstellt.</p></body></html>`},
		{k: "c-ss", lab: lWeber, at: "01-26 10:02", fr: "brandt", to: "chloe",
			subj: "Weber ./. Müller Maschinenbau GmbH – Schriftsatz vom 25. Januar", truth: "m-2024-0203", cat: "participant",
			att: []att{{name: "Schriftsatz_Klaegerseite_25-01.pdf", data: pdf("Schriftsatz der Klaegerseite")}}, body: `
Sehr geehrte Frau Kollegin,

anbei übersende ich vorab per E-Mail unseren Schriftsatz vom 25. Januar. Wir bestreiten die Sozialauswahl und beantragen hilfsweise die Weiterbeschäftigung zu unveränderten Bedingungen.

Mit freundlichen kollegialen Grüßen
Sabine Brandt`},
		{k: "c-ssf", at: "01-26 11:30", fr: "chloe", to: "jose", fwd: "c-ss", split: true,
			subj: "Fwd: Schriftsatz der Gegenseite vom 25. Januar", truth: "m-2024-0203", cat: "thread-forward", body: `
Lieber Herr Müller,

zu Ihrer Information der Schriftsatz der Gegenseite. Neu ist nur der Hilfsantrag auf Weiterbeschäftigung; zur Sozialauswahl wiederholt sie die bekannten Argumente.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-ssf2", at: "01-29 08:15", fr: "jose", to: "chloe", re: "c-ssf",
			truth: "m-2024-0203", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

danke. Eine Weiterbeschäftigung kommt für uns nicht in Frage; die Abteilung gibt es in dieser Form nicht mehr.

Viele Grüße
José Müller`},
		{k: "c-abf", at: "02-05 16:00", fr: "chloe", to: "jose",
			subj: "Abfindungsangebot 45.000 € brutto", truth: "m-2024-0203", cat: "number-body",
			note: "number only in the body (Unser Zeichen); € and – in a Q-encoded subject", body: `
Unser Zeichen: 2024-0203

Lieber Herr Müller,

wie besprochen schlage ich vor, im Gütetermin eine Abfindung von 45.000 € brutto anzubieten, das entspricht etwa 0,5 Monatsgehältern pro Beschäftigungsjahr. Die Kündigungsfrist bliebe unverändert.

Bitte bestätigen Sie mir, dass die Geschäftsführung diesem Rahmen zustimmt.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-abf2", at: "02-06 09:30", fr: "jose", to: "chloe", re: "c-abf",
			truth: "m-2024-0203", cat: "number-quoted", body: `
Liebe Frau Lindqvist,

die Geschäftsführung ist einverstanden, wünscht aber eine Erledigungsklausel, die auch die offenen Überstunden umfasst.

Viele Grüße
José Müller`},
		{k: "c-vgl1", at: "02-20 15:00", fr: "chloe", to: "brandt",
			subj: "Weber ./. Müller – Vergleichsvorschlag", truth: "m-2024-0203", cat: "participant", body: `
Sehr geehrte Frau Kollegin,

zur Vorbereitung des Gütetermins teile ich Ihnen mit, dass unsere Mandantin grundsätzlich zu einer einvernehmlichen Lösung bereit ist. Ein Angebot würden wir im Termin unterbreiten.

Mit freundlichen kollegialen Grüßen
Chloe Lindqvist`},
		{k: "c-vgl2", at: "02-21 12:00", fr: "brandt", to: "chloe", re: "c-vgl1",
			truth: "m-2024-0203", cat: "participant", body: `
Sehr geehrte Frau Kollegin,

vielen Dank. Mein Mandant erwartet ein Angebot, das deutlich über der Regelabfindung liegt, und ein gutes Zeugnis.

Mit freundlichen kollegialen Grüßen
Sabine Brandt`},
		{k: "c-fee", at: "02-26 17:00", fr: "chloe", to: "jose",
			subj: "2024-0203 – Kostennote für Januar", truth: "m-2024-0203", cat: "number-subject", body: `
Lieber Herr Müller,

anbei unsere Kostennote für Januar. Sie umfasst die Prüfung der Klage, die Klageerwiderung und die Besprechung vom 11. Januar.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-prot", lab: lWeber, at: "03-12 15:40", fr: "arbg", to: "chloe", sys: "Inbox",
			subj: "Protokoll der Güteverhandlung vom 12.03.2024 – 4 Ca 1187/24", truth: "m-2024-0203", cat: "participant",
			att: []att{{name: "Protokoll_4_Ca_1187-24.pdf", data: pdf("Protokoll der Gueteverhandlung")}}, body: `
Sehr geehrte Damen und Herren,

anbei erhalten Sie das Protokoll der heutigen Güteverhandlung. Die Parteien haben einen widerruflichen Vergleich geschlossen; die Widerrufsfrist endet am 26.03.2024.

Arbeitsgericht Frankfurt am Main
Geschäftsstelle der 4. Kammer`},
		{k: "c-phone", at: "03-14 09:10", fr: "sekr", to: "chloe", trap: "2024-0117",
			subj: "Rückruf Herr Müller – Vergleich Weber ./. Müller", truth: "m-2024-0203", cat: "misleading-number",
			note: "signature phone number +49 69 2024-0117 contains another matter's number", body: `
Sehr geehrte Frau Lindqvist,

Herr Müller bittet um Ihren Rückruf wegen des Vergleichs. Er ist heute bis 16 Uhr im Haus.

Mit freundlichen Grüßen`},
		{k: "c-two", at: "03-21 10:00", fr: "jose", to: "chloe", trap: "2024-0266|Kurzarbeit",
			subj: "2024-0203 Weber – ändert die Kurzarbeit (2024-0266) etwas an der Abfindung?", truth: "m-2024-0203", cat: "conflict-two-numbers",
			note: "two numbers; the question is about the severance in the dismissal case", body: `
Liebe Frau Lindqvist,

eine Frage zum Vergleich mit Herrn Weber: Er wäre ab April ebenfalls von der Kurzarbeit betroffen gewesen. Müssen wir die Abfindung auf Basis des vollen oder des verkürzten Gehalts berechnen?

Viele Grüße
José Müller`},
		{k: "c-vgl3", at: "04-15 11:00", fr: "chloe", to: "jose",
			subj: "Vergleich Weber ./. Müller – unterschriebene Fassung", truth: "m-2024-0203", cat: "alias", body: `
Lieber Herr Müller,

anbei die vom Gericht festgestellte Fassung des Vergleichs. Die Abfindung ist mit dem Aprilgehalt fällig; das Zeugnis muss bis zum 30. April erteilt werden.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-vgl4", at: "04-16 08:40", fr: "jose", to: "chloe", re: "c-vgl3", split: true,
			subj: "Abfindungszahlung – Lohnbuchhaltung", truth: "m-2024-0203", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

die Lohnbuchhaltung fragt, ob die Abfindung über die Gehaltsabrechnung laufen soll oder separat überwiesen werden kann. Was empfehlen Sie?

Viele Grüße
José Müller`},
		{k: "c-beschl", at: "04-22 13:00", fr: "arbg", to: "chloe", sys: "Inbox",
			subj: "Beschluss nach § 278 Abs. 6 ZPO – 4 Ca 1187/24", truth: "m-2024-0203", cat: "participant", body: `
Sehr geehrte Damen und Herren,

in dem Rechtsstreit wird das Zustandekommen des Vergleichs festgestellt. Der Beschluss ist als Anlage beigefügt.

Arbeitsgericht Frankfurt am Main`},
		{k: "c-car", at: "05-06 09:00", fr: "jose", to: "chloe", lab: lWeber,
			subj: "Dienstwagen – Rückgabe und Zustand", truth: "m-2024-0203", cat: "label",
			note: "only the matter label decides: client contact on three targets, no number, no alias", body: `
Liebe Frau Lindqvist,

Herr Weber hat den Dienstwagen gestern zurückgegeben, mit einem Kratzer an der Heckklappe. Können wir die Reparaturkosten mit der letzten Zahlung verrechnen, oder schließt die Erledigungsklausel das aus?

Viele Grüße
José Müller`},

		// ---- m-2024-0266 Kurzarbeit --------------------------------------------
		{k: "c-ka1", at: "02-12 08:00", fr: "jose", to: "chloe", fwd: "g-br",
			subj: "WG: Stellungnahme des Betriebsrats zur Kurzarbeit", truth: "m-2024-0266", cat: "alias",
			note: "Outlook forward (WG:) of a message that is not in the mailbox; the keyword decides", body: `
Liebe Frau Lindqvist,

zur Info die Stellungnahme des Betriebsrats. Können wir kurz telefonieren?

Viele Grüße
José Müller`},
		{k: "c-ka2", at: "02-13 17:00", fr: "chloe", to: "jose",
			subj: "2024-0266 – Entwurf Betriebsvereinbarung", truth: "m-2024-0266", cat: "number-subject",
			att: []att{{name: "Entwurf_BV_Kurzarbeit_v1.docx", data: "PK stub: Entwurf Betriebsvereinbarung, Fassung 1"}}, body: `
Lieber Herr Müller,

anbei mein Entwurf der Betriebsvereinbarung. Er sieht Kurzarbeit für bis zu sechs Monate vor, mit einer Ankündigungsfrist von drei Wochen und einer Aufstockung des Kurzarbeitergeldes auf 80 Prozent.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-ka3", at: "02-14 09:00", fr: "jose", to: "chloe", re: "c-ka2", split: true,
			subj: "Anlage 2 – betroffene Abteilungen", truth: "m-2024-0266", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

danke. Für Anlage 2: betroffen sind Montage, Lackiererei und Versand, zusammen 118 Beschäftigte. Die Konstruktion soll ausgenommen bleiben.

Viele Grüße
José Müller`},
		{k: "c-ka4", at: "03-04 10:00", fr: "betriebsrat", to: "chloe", cc: "jose",
			subj: "Einigungsstelle?", truth: "m-2024-0266", cat: "participant", body: `
Sehr geehrte Frau Lindqvist,

der Betriebsrat kann der Aufstockung auf 80 Prozent nicht zustimmen und verlangt 90 Prozent. Sollte die Geschäftsführung dabei bleiben, werden wir die Einigungsstelle anrufen.

Mit freundlichen Grüßen`},
		{k: "c-ka5", at: "03-26 09:00", fr: "jose", to: "chloe",
			subj: "AW: 2024-0266 – Termin Einigungsstelle", truth: "m-2024-0266", cat: "number-subject", body: `
Liebe Frau Lindqvist,

der vorgeschlagene Vorsitzende, Richter am LAG a.D. Hofmann, ist für uns akzeptabel. Der 10. April passt der Geschäftsführung.

Viele Grüße
José Müller`},
		{k: "c-ka6", at: "04-11 16:00", fr: "chloe", to: "jose",
			subj: "2024-0266 – unterschriebene Betriebsvereinbarung", truth: "m-2024-0266", cat: "number-subject",
			att: []att{{name: "BV_unterschrieben.pdf", data: pdf("Betriebsvereinbarung - unterschrieben")}}, body: `
Lieber Herr Müller,

anbei die von beiden Seiten unterschriebene Betriebsvereinbarung. Die Aufstockung beträgt 85 Prozent; sie gilt ab 1. Mai.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-ka7", at: "04-12 08:30", fr: "jose", to: "chloe", re: "c-ka6", split: true,
			subj: "Aushang am Schwarzen Brett", truth: "m-2024-0266", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

reicht es, die Vereinbarung am Schwarzen Brett auszuhängen, oder müssen wir sie jedem Beschäftigten einzeln aushändigen?

Viele Grüße
José Müller`},
		{k: "c-ka8", at: "06-10 10:00", fr: "chloe", to: "jose",
			subj: "Unser Zeichen 2024-0266 – Verlängerung um drei Monate", truth: "m-2024-0266", cat: "number-subject", body: `
Lieber Herr Müller,

wenn Sie die Regelung über Oktober hinaus verlängern möchten, muss der Betriebsrat erneut zustimmen. Ich schlage vor, das Gespräch noch im Juni zu führen.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-ka9", at: "06-11 09:00", fr: "jose", to: "chloe", re: "c-ka8", split: true,
			subj: "Anzeige bei der Agentur für Arbeit", truth: "m-2024-0266", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

einverstanden. Müssen wir bei einer Verlängerung auch die Anzeige bei der Agentur für Arbeit erneuern?

Viele Grüße
José Müller`},

		// ---- c-2024-047 Alpenland ----------------------------------------------
		{k: "c-al1", lab: lAlpen, at: "01-17 09:00", fr: "zoe", to: "chloe",
			subj: "C-2024-047 Vertriebsvertrag – Gebietsschutz Österreich", truth: "c-2024-047", cat: "number-subject", body: `
Liebe Frau Lindqvist,

der Händler möchte Gebietsschutz für ganz Österreich und Südtirol. Wir könnten Österreich zusagen, Südtirol aber nicht, weil wir dort bereits einen Vertreter haben.

Viele Grüße
Zoë Hartmann`},
		{k: "c-al2", at: "01-17 13:00", fr: "chloe", to: "zoe", re: "c-al1",
			truth: "c-2024-047", cat: "number-subject", body: `
Liebe Frau Hartmann,

das lässt sich so regeln. Ich würde den Gebietsschutz außerdem an eine Mindestabnahme koppeln, damit Sie ihn bei schwachen Umsätzen entziehen können.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-al3", lab: lAlpen, at: "02-01 10:00", fr: "huber", to: "chloe",
			subj: "Vertriebsvertrag – unsere Anmerkungen zu § 9", truth: "c-2024-047", cat: "participant", body: `
Sehr geehrte Frau Lindqvist,

zu § 9 (Exklusivität): Eine Mindestabnahme von 40 Maschinen pro Jahr ist für uns im ersten Vertragsjahr nicht erreichbar. Wir schlagen 25 Maschinen vor, ab dem zweiten Jahr 35.

Mit freundlichen Grüßen
Martina Huber`},
		{k: "c-al4", at: "02-02 09:00", fr: "chloe", to: "jose", fwd: "c-al3", split: true,
			subj: "Fwd: Anmerkungen der Gegenseite zu § 9", truth: "c-2024-047", cat: "thread-forward", body: `
Lieber Herr Müller,

unten die Anmerkungen des Händlers zur Mindestabnahme. Ich halte 25 Maschinen im ersten Jahr für vertretbar, wenn die Staffel danach verbindlich ist.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-al5", at: "02-02 14:00", fr: "jose", to: "chloe", re: "c-al4",
			truth: "c-2024-047", cat: "thread-reply", body: `
Liebe Frau Lindqvist,

der Vertrieb ist einverstanden, möchte aber 30 statt 25 Maschinen im ersten Jahr. Bitte versuchen Sie es.

Viele Grüße
José Müller`},
		{k: "c-al6", at: "02-19 11:00", fr: "chloe", to: "huber", lab: lAlpen,
			subj: "C-2024-047 – Redline zu § 9 (Exklusivität)", truth: "c-2024-047", cat: "number-subject",
			note: "number in the subject; attachment with an RFC 2231 UTF-8 file name",
			att:  []att{{name: "Redline § 9 Exklusivität.docx", data: "PK stub: Redline Paragraph 9"}}, body: `
Sehr geehrte Frau Huber,

anbei unsere Änderungen zu § 9. Wir schlagen 30 Maschinen im ersten Vertragsjahr und 40 ab dem zweiten Jahr vor; Südtirol bleibt vom Gebietsschutz ausgenommen.

Mit freundlichen Grüßen
Chloe Lindqvist`},
		{k: "c-al7", at: "03-08 15:00", fr: "huber", to: "chloe",
			subj: "Vertriebsvertrag – unterzeichnetes Exemplar", truth: "c-2024-047", cat: "participant",
			att: []att{{name: "Vertrag Müller Österreich.pdf", data: pdf("Vertriebsvertrag - unterzeichnet")}}, body: `
Sehr geehrte Frau Lindqvist,

anbei das von unserem Vorstand unterzeichnete Exemplar. Bitte senden Sie uns das gegengezeichnete Exemplar per Post.

Mit freundlichen Grüßen
Martina Huber`},
		{k: "c-al8", at: "05-02 10:00", fr: "zoe", to: "chloe",
			subj: "Absatzzahlen Österreich Q1", truth: "c-2024-047", cat: "participant", body: `
Liebe Frau Lindqvist,

der Händler hat im ersten Quartal nur vier Maschinen abgenommen. Hochgerechnet verfehlt er die Mindestabnahme deutlich. Ab wann könnten wir den Gebietsschutz entziehen?

Viele Grüße
Zoë Hartmann`},
		{k: "c-al9", at: "05-03 09:00", fr: "chloe", to: "zoe", re: "c-al8",
			truth: "c-2024-047", cat: "participant", body: `
Liebe Frau Hartmann,

die Mindestabnahme bezieht sich auf das Vertragsjahr. Vor März nächsten Jahres können wir den Gebietsschutz daher nicht entziehen. Wir sollten den Händler aber schon jetzt schriftlich auf die Zahlen hinweisen.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-al10", at: "05-21 11:00", fr: "chloe", to: "jose", lab: lAlpen,
			subj: "Quartalsmeldung des Händlers – Fristen", truth: "c-2024-047", cat: "label",
			note: "only the matter label decides", body: `
Lieber Herr Müller,

der Händler muss seine Quartalsmeldung jeweils bis zum 15. des Folgemonats abgeben. Die Meldung für April bis Juni wäre also am 15. Juli fällig. Soll ich eine Erinnerung vorbereiten?

Viele Grüße
Chloe Lindqvist`},
		{k: "c-al11", at: "05-27 15:00", fr: "chloe", to: "huber",
			subj: "Vertriebsvertrag – Hinweis auf die Mindestabnahme", truth: "c-2024-047", cat: "number-body", body: `
Unser Zeichen: C-2024-047

Sehr geehrte Frau Huber,

im Auftrag unserer Mandantin weisen wir darauf hin, dass im ersten Quartal nur vier Maschinen abgenommen wurden. Bei gleichbleibendem Verlauf wird die vereinbarte Mindestabnahme verfehlt, was unsere Mandantin zum Entzug des Gebietsschutzes berechtigen würde.

Mit freundlichen Grüßen
Chloe Lindqvist`},
		{k: "c-al12", at: "06-04 10:00", fr: "huber", to: "chloe",
			subj: "Mindestabnahme – Stellungnahme", truth: "c-2024-047", cat: "participant", body: `
Sehr geehrte Frau Lindqvist,

wir haben Ihr Schreiben erhalten. Das erste Quartal ist saisonal immer schwach; für das zweite Quartal liegen bereits Bestellungen über elf Maschinen vor.

Mit freundlichen Grüßen
Martina Huber`},

		// ---- c-2024-039 Nordlicht --------------------------------------------------
		{k: "c-nl1", at: "02-15 09:30", fr: "kaur", to: "chloe",
			subj: "C-2024-039 reseller agreement – German law questions", truth: "c-2024-039", cat: "number-subject", body: `
Hi Chloe,

Richard suggested I contact you directly. Our reseller agreement is governed by German law, and the reseller says our limitation of liability is invalid under the German rules on standard terms. Is that right?

Simran`},
		{k: "c-nl2", at: "02-16 10:00", fr: "chloe", to: "kaur", re: "c-nl1", split: true,
			subj: "AGB-Kontrolle der Haftungsbegrenzung", truth: "c-2024-039", cat: "participant",
			note: "reply with a new subject; the recipient is a participant of this contract only", body: `
Hi Simran,

They are partly right. Under German law a standard-terms clause cannot exclude liability for gross negligence or for injury, even between businesses. A cap for slight negligence is fine if it covers the typical foreseeable damage.

I will redraft the clause so that it survives a court review.

Chloe`},
		{k: "c-nl3", at: "03-01 11:00", fr: "petersen", to: "chloe",
			subj: "Reseller agreement – our comments on exclusivity", truth: "c-2024-039", cat: "domain",
			note: "the reseller's managing director is not listed; the reseller's domain belongs to this contract only", body: `
Dear Ms Lindqvist,

We cannot accept a non-exclusive appointment if we are to invest in a dedicated sales team. We ask for exclusivity for Germany and Austria for three years.

Kind regards
Jan Petersen`},
		{k: "c-nl4", at: "03-02 09:00", fr: "chloe", to: "osei", fwd: "c-nl3", split: true,
			subj: "Reseller's comments on exclusivity", truth: "c-2024-039", cat: "thread-forward", body: `
Richard,

See below. Exclusivity for two countries for three years is a big concession. If you are open to it, I would tie it to minimum revenue targets and a right to terminate the exclusivity if they are missed.

Chloe`},
		{k: "c-nl5", at: "03-04 09:00", fr: "osei", to: "chloe", re: "c-nl4",
			truth: "c-2024-039", cat: "thread-reply", body: `
Chloe,

We can live with exclusivity for Germany only, for two years, with revenue targets. Austria stays open.

Richard`},
		{k: "c-nl6", at: "04-10 10:00", fr: "chloe", to: "kaur",
			subj: "C-2024-039 – signature version", truth: "c-2024-039", cat: "number-subject",
			att: []att{{name: "Reseller_Agreement_signature_version.pdf", data: pdf("Reseller agreement - signature version")}}, body: `
Hi Simran,

Attached is the signature version with the agreed exclusivity and liability wording. Please arrange signature by two authorised officers.

Chloe`},
		{k: "c-nl7", at: "04-11 09:00", fr: "kaur", to: "chloe", re: "c-nl6",
			truth: "c-2024-039", cat: "number-subject", body: `
Hi Chloe,

Thank you! Our CFO and Richard will sign tomorrow.

Simran`},

		// ---- m-2024-0142, the German side ---------------------------------------
		{k: "c-df1", at: "02-28 10:00", fr: "ben", to: "chloe",
			subj: "Quick German law question – written form for lease amendments", truth: "m-2024-0142", cat: "number-body", body: `
Our reference: 2024-0142

Chloe,

Our client and its German landlord want to agree the second addendum by exchange of PDFs. Is that enough to satisfy the written form requirement for long leases, or do we risk the lease becoming terminable?

Ben`},
		{k: "c-df2", at: "02-28 15:00", fr: "chloe", to: "ben", re: "c-df1",
			truth: "m-2024-0142", cat: "number-quoted", body: `
Ben,

An exchange of PDFs is risky. If the written form is not met, either party may terminate a long lease on statutory notice. I recommend wet-ink signatures on one document, or qualified electronic signatures.

Chloe`},

		// ---- not matter-related -------------------------------------------------
		{k: "c-yoga", at: "01-24 18:00", fr: "yoga", to: "chloe", sys: "Inbox",
			subj: "Kursänderung: Yoga am Mittwoch jetzt um 19 Uhr", truth: "none", cat: "not-matter",
			note: "personal mail in German, generic label by mistake", body: `
Liebe Teilnehmerinnen und Teilnehmer,

ab Februar beginnt der Mittwochskurs erst um 19 Uhr. Alle anderen Kurse bleiben unverändert.

Namasté
Studio Lindenhof`},
		{k: "c-nza", at: "02-07 06:00", fr: "jurwoche", to: "chloe", form: fHTML, sys: "Inbox,Category Updates",
			subj: "Arbeitsrecht aktuell: BAG zur Massenentlassungsanzeige", truth: "none", cat: "not-matter",
			note: "HTML-only German newsletter",
			html: `<html><body><h1>Arbeitsrecht aktuell</h1>
<p>Das Bundesarbeitsgericht hat seine Rechtsprechung zu Fehlern bei der Massenentlassungsanzeige geändert. Wir fassen die Folgen für die Praxis zusammen.</p>
<p>Außerdem: Neue Regeln zur Arbeitszeiterfassung.</p>
<p><a href="https://jurwoche.example/abmelden">Abmelden</a></p></body></html>`},
		{k: "c-rech", at: "03-11 02:00", fr: "rechnung", to: "chloe", trap: "2024-0266",
			subj: "Rechnung Nr. 2024-0266 – Zahlungserinnerung", truth: "none", cat: "misleading-number",
			note: "spam; the invoice number equals a matter number", body: `
Sehr geehrte Kundin, sehr geehrter Kunde,

die Rechnung Nr. 2024-0266 ist seit 14 Tagen fällig. Bitte begleichen Sie den Betrag von 389,00 EUR umgehend, um Mahngebühren zu vermeiden.

Ihr Inkasso Service`},
		{k: "c-bestell", at: "04-09 07:30", fr: "bueroversand", to: "chloe", sys: "Inbox,Category Updates", trap: "2024-0203",
			subj: "Ihre Bestellung 2024-0203 wurde versandt", truth: "none", cat: "misleading-number",
			note: "an order number equals a matter number", body: `
Guten Tag,

Ihre Bestellung 2024-0203 (5 Pakete Kopierpapier, 2 Toner) wurde heute versandt und wird morgen zugestellt.

Büroversand Rhein-Main`},
		{k: "c-newm", at: "01-31 11:00", fr: "jose", to: "chloe",
			subj: "Abmahnung eines Mitarbeiters in der Montage", truth: "none", cat: "new-matter",
			note: "client contact asks about a new issue for which no matter exists", body: `
Liebe Frau Lindqvist,

ein Mitarbeiter in der Montage ist zum dritten Mal unentschuldigt zu spät gekommen. Können Sie uns bei einer Abmahnung helfen? Das wäre ein neues Thema.

Viele Grüße
José Müller`},
	}
}

func devikaMail() []msg {
	return []msg{
		// ---- m-2024-0129 Okoro v Greenfield ------------------------------------
		{k: "d-ok1", at: "01-09 09:00", fr: "nair", to: "devika", lab: lOkoro,
			subj: "2024-0129 – ET1 received from the tribunal", truth: "m-2024-0129", cat: "number-subject", body: `
Dear Devika,

We received the claim form from the tribunal this morning. The claimant alleges unfair dismissal and whistleblowing detriment; the response is due on 6 February.

Priya`},
		{k: "d-ok2", at: "01-09 15:00", fr: "devika", to: "nair", re: "d-ok1", split: true,
			subj: "Grievance file and investigation notes", truth: "m-2024-0129", cat: "thread-reply", body: `
Dear Priya,

Thank you. To prepare the response I need the full grievance file, the investigation notes and the dismissal letter, and the names of everyone he says he raised concerns with.

Could you send them by Friday?

Devika`},
		{k: "d-ok3", at: "01-10 10:30", fr: "nair", to: "devika", re: "d-ok2",
			truth: "m-2024-0129", cat: "thread-reply",
			att: []att{{name: "investigation_notes_summary.txt", ctype: "text/plain", data: "Investigation notes (summary)\n- Meeting 14 Sept 2023 with the Head of Year 9\n- Meeting 21 Sept 2023 with the claimant\n- Outcome letter 2 Oct 2023\n"}}, body: `
Dear Devika,

Attached is a summary of the investigation notes; the full file is on its way by courier. He raised concerns with the Head of Year 9 and with the safeguarding lead, both in September.

Priya`},
		{k: "d-et1", at: "01-24 14:00", fr: "et", to: "devika", sys: "Inbox",
			subj: "Case Number: 2204117/2024 – Notice of Preliminary Hearing", truth: "m-2024-0129", cat: "participant",
			note: "tribunal notice; the tribunal address is listed on this matter only, the case number is an alias", body: `
NOTICE OF PRELIMINARY HEARING (CASE MANAGEMENT)

Case Number: 2204117/2024
Claimant: Mr D Okoro
Respondent: Greenfield Schools Trust

The preliminary hearing will take place by video on 4 March 2024 at 10:00. The parties must agree a list of issues and send it to the tribunal seven days before the hearing.`},
		{k: "d-lyle", lab: lOkoro, at: "02-07 16:00", fr: "lyle", to: "devika",
			subj: "Request for further information", truth: "m-2024-0129", cat: "participant", body: `
Dear Ms Rao,

Our client requests further information about the respondent's redundancy pool: the selection criteria, the scores of each employee in the pool and the names of the scorers.

We would be grateful for a response within 14 days.

Patrick Lyle`},
		{k: "d-lylef", at: "02-08 09:00", fr: "devika", to: "nair", fwd: "d-lyle", split: true,
			subj: "Claimant's request for further information", truth: "m-2024-0129", cat: "thread-forward", body: `
Dear Priya,

Below is a request from the other side. We must give the criteria and his own scores; the other employees' scores can be anonymised. Could you send me the scoring matrix?

Devika`},
		{k: "d-lylef2", at: "02-09 11:00", fr: "nair", to: "devika", re: "d-lylef",
			truth: "m-2024-0129", cat: "thread-reply", body: `
Dear Devika,

The scoring matrix is attached to my next email; I need to remove the names first. Two scorers were involved: the deputy head and the business manager.

Priya`},
		{k: "d-ourref", at: "02-28 15:00", fr: "devika", to: "acole",
			subj: "Your ref PL/DO/0412 – our ref 2024-0129", truth: "m-2024-0129", cat: "number-subject",
			note: "both firms' references in the subject; the other firm's contains 0412", body: `
Dear Ms Cole,

Please find the respondent's response to your request for further information in the agreed bundle folder. The scores of the other employees in the pool are anonymised.

Kind regards,
Devika Rao`},
		{k: "d-okoro", at: "03-11 22:40", fr: "okoro", to: "devika",
			subj: "My claim against the school", truth: "m-2024-0129", cat: "webmail",
			note: "the represented claimant writes directly from gmail.example; not a listed participant", body: `
Dear Ms Rao,

I know I should go through my solicitor but I want to say directly that I would accept an apology and a reference instead of going to a full hearing. I loved working at the school.

Daniel Okoro`},
		{k: "d-ws", at: "03-20 12:00", fr: "nair", to: "devika", lab: lOkoro,
			subj: "Witness statements – Head of Year 9", truth: "m-2024-0129", cat: "label",
			note: "only the matter label decides: the contact is on two targets", body: `
Dear Devika,

The Head of Year 9 is on leave until 8 April. Can her witness statement wait until then, or should she do it remotely?

Priya`},
		{k: "d-judg", at: "04-30 10:00", fr: "et", to: "devika", sys: "Inbox",
			subj: "Judgment sent to the parties – 2204117/2024", truth: "m-2024-0129", cat: "participant", body: `
The judgment in this case is attached. The claim of unfair dismissal succeeds; the claim of whistleblowing detriment is dismissed. A remedy hearing will be listed.

London Central Employment Tribunal`},
		{k: "d-rem1", at: "05-10 09:00", fr: "devika", to: "nair", lab: lOkoro,
			subj: "Remedy hearing – schedule of loss", truth: "m-2024-0129", cat: "label",
			note: "sent mail; only the matter label decides", body: `
Dear Priya,

The claimant's schedule of loss claims eighteen months' salary. He started a new job in March, so his loss of earnings should end there. Could you confirm his final salary and pension contributions?

Devika`},
		{k: "d-rem2", at: "05-13 10:00", fr: "nair", to: "devika", re: "d-rem1",
			truth: "m-2024-0129", cat: "thread-reply", body: `
Dear Devika,

His final salary was GBP 41,850; the employer pension contribution was 24.1 percent. I will send the payslips.

Priya`},
		{k: "d-bundle", at: "05-22 16:00", fr: "devika", to: "nair",
			subj: "2024-0129 – remedy hearing bundle index", truth: "m-2024-0129", cat: "number-subject", body: `
Dear Priya,

Here is the draft index of the remedy hearing bundle. Please check section C, the documents on his new employment.

Devika`},

		// ---- m-2024-0279 data breach ------------------------------------------------
		{k: "d-br1", at: "03-05 08:10", fr: "nair", to: "devika",
			subj: "Ashcombe Primary – stolen laptop, possible data breach", truth: "m-2024-0279", cat: "alias",
			note: "client contact on two targets; the school's name decides", body: `
Dear Devika,

A teacher's laptop was stolen from a car yesterday evening. It held spreadsheets with pupils' names, dates of birth and special educational needs. The laptop was password-protected but not encrypted.

Do we need to report this?

Priya`},
		{k: "d-br2", at: "03-05 09:30", fr: "devika", to: "nair", re: "d-br1", split: true,
			subj: "72-hour clock – what we need by tomorrow", truth: "m-2024-0279", cat: "thread-reply", body: `
Dear Priya,

Yes, this must be reported within 72 hours of discovery, so by Friday morning. By tomorrow I need the number of pupils affected, the police crime reference and confirmation that remote wipe has been attempted.

Devika`},
		{k: "d-ico", at: "03-06 15:00", fr: "ico", to: "devika", sys: "Inbox",
			subj: "Personal data breach report – our reference IC-318445-B9T2", truth: "m-2024-0279", cat: "participant", body: `
Thank you for reporting a personal data breach. Your report has been assigned to a case officer, who will contact you within 10 working days.

Our reference: IC-318445-B9T2`},
		{k: "d-br3", at: "03-07 10:00", fr: "devika", to: "nair",
			subj: "2024-0279 – regulator's acknowledgement and next steps", truth: "m-2024-0279", cat: "number-subject", body: `
Dear Priya,

The regulator acknowledged our report. Next, we should decide whether to inform the parents; I think we should, given the special needs data.

Devika`},
		{k: "d-br4", at: "05-30 11:00", fr: "nair", to: "devika",
			subj: "Parents' letter – final wording", truth: "m-2024-0279", cat: "number-body", body: `
Your ref: 2024-0279

Dear Devika,

The head teacher would like to change the second paragraph of the parents' letter to say that the laptop was "taken from a staff member's car". Is that accurate enough?

Priya`},

		// ---- m-2024-0155 Felixstowe fire ------------------------------------------
		{k: "d-fx1", at: "01-15 10:00", fr: "sorensen", to: "devika", lab: lFelix,
			subj: "2024-0155 – insurer's reservation of rights", truth: "m-2024-0155", cat: "number-subject", body: `
Devika,

The insurer has sent a reservation of rights letter. They say the sprinkler system was switched off for maintenance on the night of the fire and that this breaches a policy warranty.

Helle`},
		{k: "d-fx2", at: "01-15 14:00", fr: "devika", to: "sorensen", re: "d-fx1", split: true,
			subj: "Policy schedule and the 2022 endorsement", truth: "m-2024-0155", cat: "thread-reply", body: `
Helle,

The key question is whether the warranty was changed by the 2022 endorsement. Could you send me the policy schedule and all endorsements? If the maintenance was notified to the broker, the breach argument may fall away.

Devika`},
		{k: "d-fx3", at: "01-16 09:00", fr: "sorensen", to: "devika", re: "d-fx2",
			truth: "m-2024-0155", cat: "thread-reply", body: `
Devika,

Attached. The maintenance was notified to the broker by email on 3 October; I am getting a copy.

Helle`},
		{k: "d-stock", at: "01-22 11:00", fr: "adebayo", to: "devika",
			subj: "Stock figures for the loss", truth: "m-2024-0155", cat: "participant",
			note: "a contact of the shared group domain who is listed on this matter only", body: `
Dear Devika,

Our stock figures at the time of the fire: 2,140 pallets, of which 1,310 belonged to customers. The book value of our own stock was GBP 3.2 million.

Nia`},
		{k: "d-kest", lab: lFelix, at: "02-02 13:00", fr: "kestrel", to: "devika",
			subj: "Claim KM/PR/55102 – request for documents", truth: "m-2024-0155", cat: "participant", body: `
Dear Ms Rao,

To progress the claim we need the maintenance records of the sprinkler system for 2023, the stock records and the CCTV footage of the night of 9 December.

Major Loss Team`},
		{k: "d-adj", at: "02-19 15:00", fr: "sorensen", to: "devika",
			subj: "Felixstowe – loss adjuster's interim report", truth: "m-2024-0155", cat: "shared-domain",
			note: "the group's general counsel works for both Vantor clients; the keyword decides", body: `
Devika,

The loss adjuster's interim report is in. He puts the building damage at GBP 7.9 million and accepts our stock figures, subject to audit.

Helle`},
		{k: "d-kestphone", at: "04-02 10:00", fr: "kvogel", to: "devika", trap: "2024 0117",
			subj: "Claim KM/PR/55102 – call back", truth: "m-2024-0155", cat: "misleading-number",
			note: "the adjuster's phone number +49 69 2024 0117 looks like another matter's number; the insurer's domain decides", body: `
Dear Ms Rao,

I tried to call you about the stock audit. Could you call me back tomorrow morning?

Best regards,
Markus Vogel`},
		{k: "d-fxset", at: "05-20 09:00", fr: "sorensen", to: "devika",
			subj: "Felixstowe – the insurer's settlement offer", truth: "m-2024-0155", cat: "shared-domain", body: `
Devika,

The insurer offers GBP 8.4 million in full and final settlement, against our claim of 11.1 million. They argue that the sprinklers would have saved half the stock.

Helle`},
		{k: "d-fxset2", at: "05-20 13:00", fr: "devika", to: "sorensen", re: "d-fxset", split: true,
			subj: "Counter-offer figure", truth: "m-2024-0155", cat: "thread-reply", body: `
Helle,

I suggest a counter-offer of GBP 10.2 million, which gives them the benefit of the doubt on the sprinklers for the customers' stock only. Happy to discuss.

Devika`},

		// ---- m-2024-0219 Solberg PPA, c-2024-074 -------------------------------------
		{k: "d-sb1", at: "02-12 09:00", fr: "sorensen", to: "devika",
			subj: "Solberg PPA – notice of dispute", truth: "m-2024-0219", cat: "shared-domain", body: `
Devika,

We have received a notice of dispute under the power purchase agreement. The seller says the price index we use has been discontinued and that the fallback gives them a higher price.

Helle`},
		{k: "d-sb2", at: "02-13 10:00", fr: "devika", to: "sorensen", re: "d-sb1", split: true,
			subj: "Expert determination or arbitration – clause 22", truth: "m-2024-0219", cat: "thread-reply", body: `
Helle,

Clause 22 sends price disputes to an expert and everything else to arbitration. They will say this is about interpretation, not price, so that arbitration applies. I think we should insist on the expert; it is faster and cheaper.

Devika`},
		{k: "d-idx", lab: lSolberg, at: "02-14 12:00", fr: "lindgren", to: "devika",
			subj: "Price index data 2021–2023", truth: "m-2024-0219", cat: "participant", body: `
Dear Devika,

Attached are the monthly index values for 2021 to 2023 and the replacement index the publisher recommends. Under the replacement index, the price would be about 6 percent lower than the seller claims.

Per`},
		{k: "d-emarsh", at: "03-01 16:00", fr: "emarsh", to: "devika",
			subj: "Without prejudice save as to costs", truth: "m-2024-0219", cat: "participant",
			note: "opposing counsel listed on this matter only, from a firm on three matters", body: `
Dear Ms Rao,

Our client would be prepared to discuss a compromise price for the remaining term of the agreement, with the difference for past periods split equally.

Edward Marsh`},
		{k: "d-sb3", at: "03-18 17:00", fr: "devika", to: "sorensen", lab: lSolberg,
			subj: "2024-0219 – draft notice of arbitration", truth: "m-2024-0219", cat: "number-subject",
			att: []att{{name: "Notice_of_Arbitration_draft.docx", data: "PK stub: notice of arbitration, draft 1"}}, body: `
Helle,

As they refused the expert route, attached is our draft notice of arbitration. We nominate Sir Anthony Pell as arbitrator, subject to his conflict check.

Devika`},
		{k: "d-sb4", at: "03-19 09:00", fr: "sorensen", to: "devika", re: "d-sb3",
			truth: "m-2024-0219", cat: "number-subject", body: `
Devika,

Approved. Please file it today.

Helle`},
		{k: "d-ap", at: "03-27 11:00", fr: "vgap", to: "devika",
			subj: "Which entity should we invoice?", truth: "m-2024-0219", cat: "shared-domain",
			note: "accounts payable of the shared group domain; only the keyword in the body tells which client", body: `
Dear Ms Rao,

We received your firm's invoice for the Solberg work addressed to Vantor Group Holdings. It should be addressed to the operating company. Could you reissue it?

Accounts Payable`},
		{k: "d-minutes", at: "04-08 10:00", fr: "vglegal", to: "devika",
			subj: "Board minutes – extract for the arbitration file", truth: "m-2024-0219", cat: "shared-domain", body: `
Dear Devika,

As requested, the extract of the board minutes of 14 March approving the commencement of arbitration against Solberg Wind AS.

Company Secretariat`},
		{k: "d-hollow", at: "04-25 10:00", fr: "sorensen", to: "devika",
			subj: "Hollowmere – contractor's default notice", truth: "c-2024-074", cat: "shared-domain", body: `
Devika,

A different matter: the O&M contractor at the Hollowmere solar park has missed its availability guarantee for three months running. Can we serve a default notice under the agreement?

Helle`},
		{k: "d-sb5", at: "06-12 14:00", fr: "devika", to: "sorensen",
			subj: "Our ref 2024-0219 – constitution of the tribunal", truth: "m-2024-0219", cat: "number-subject", body: `
Helle,

The other side has nominated its arbitrator. The two arbitrators must now agree on a chair within 30 days.

Devika`},
		{k: "d-sb6", at: "06-13 09:00", fr: "sorensen", to: "devika", re: "d-sb5", split: true,
			subj: "Arbitrator candidates", truth: "m-2024-0219", cat: "thread-reply", body: `
Devika,

Can we suggest names to our arbitrator for the chair, or is that not allowed?

Helle`},

		// ---- m-2024-0301 Northwind v Coldline ------------------------------------------
		{k: "d-cl1", lab: lColdline, at: "02-21 09:00", fr: "owen", to: "devika",
			subj: "Spoiled consignment – temperature logs", truth: "m-2024-0301", cat: "participant", body: `
Hi Devika,

The temperature logs show that the trailer was at 11 degrees for six hours on the motorway. The consignment was 22 pallets of chilled meals, all destroyed.

Owen`},
		{k: "d-cl2", at: "02-22 10:00", fr: "devika", to: "owen", re: "d-cl1",
			truth: "m-2024-0301", cat: "participant", body: `
Hi Owen,

Thank you. Please keep the original data logger and do not send it to the haulier. We also need the delivery note with the driver's signature.

Devika`},
		{k: "d-cl3", at: "02-26 15:00", fr: "devika", to: "fenella",
			subj: "2024-0301 – letter of claim to the haulier", truth: "m-2024-0301", cat: "number-subject", body: `
Fenella,

Attached is the draft letter of claim for GBP 84,600. The haulier's terms limit liability per kilogram, but the limit does not apply if they failed to keep the agreed temperature.

Devika`},
		{k: "d-cl4", at: "02-27 09:00", fr: "fenella", to: "devika", re: "d-cl3", split: true,
			subj: "Approval to send", truth: "m-2024-0301", cat: "thread-reply", body: `
Devika,

Approved, please send it.

Fenella`},
		{k: "d-rhale", lab: lColdline, at: "03-14 16:00", fr: "rhale", to: "devika",
			subj: "Response to your letter of claim", truth: "m-2024-0301", cat: "participant", body: `
Dear Ms Rao,

We act for the haulier. Our client denies liability: the goods were loaded at 9 degrees, above the agreed temperature, and the damage was already done.

Rachel Hale`},
		{k: "d-rhalef", at: "03-15 09:00", fr: "devika", to: "fenella", fwd: "d-rhale", split: true,
			subj: "Response from the haulier's solicitors", truth: "m-2024-0301", cat: "thread-forward", body: `
Fenella,

See below. The loading temperature is the key issue. Do you have the loading dock records for that morning?

Devika`},
		{k: "d-rhalef2", at: "03-15 13:00", fr: "fenella", to: "devika", re: "d-rhalef",
			truth: "m-2024-0301", cat: "thread-reply", body: `
Devika,

Yes: the dock probe recorded 3.5 degrees at loading. I will send the printout.

Fenella`},
		{k: "d-wp", at: "06-20 10:00", fr: "owen", to: "devika",
			subj: "Re: 2024-0301 – without prejudice meeting", truth: "m-2024-0301", cat: "number-subject", body: `
Hi Devika,

I can attend the meeting on 2 July. Should I bring the data logger?

Owen`},

		// ---- m-2024-0244 Solent Star, m-2023-0451 Aurelia (closed) -----------------------
		{k: "d-ss1", at: "01-31 09:00", fr: "fdunmore", to: "devika",
			subj: "Off-hire claim – MV Solent Star", truth: "m-2024-0244", cat: "participant", body: `
Dear Devika,

The charterers have deducted 6.5 days of hire for an engine breakdown in the Red Sea. We say the vessel was only off-hire for 2 days.

Fergus`},
		{k: "d-ss2", at: "02-01 10:00", fr: "devika", to: "fdunmore", re: "d-ss1",
			truth: "m-2024-0244", cat: "participant", body: `
Dear Fergus,

Thank you. Please send me the deck and engine logs for the period and the chief engineer's report.

Devika`},
		{k: "d-lmaa", at: "02-15 17:00", fr: "achterberg", to: "devika",
			subj: "Claim submissions in the charterparty arbitration", truth: "m-2024-0244", cat: "participant", body: `
Dear Ms Rao,

We act for the charterers. Please find our clients' claim submissions attached; we will serve the supporting documents on a USB stick by courier.

Joost Achterberg`},
		{k: "d-au1", at: "02-05 10:00", fr: "tide", to: "devika",
			subj: "MV Aurelia – the club asks for our final costs", truth: "m-2023-0451", cat: "closed",
			note: "about the closed cargo claim, by the vessel's name", body: `
Dear Devika,

The P&I club asks for a final statement of our legal costs on the cargo claim, to close their file. Could your accounts team send it?

Claims & Legal`},
		{k: "d-hire", at: "03-25 10:00", fr: "devika", to: "tide",
			subj: "2024-0244 – hire statement reconciliation", truth: "m-2024-0244", cat: "number-subject", body: `
Dear colleagues,

For the arbitration we need a reconciled hire statement showing each deduction made by the charterers. Could you prepare it by 8 April?

Devika`},
		{k: "d-hire2", at: "03-26 11:00", fr: "tide", to: "devika", re: "d-hire", split: true,
			subj: "Bunker figures", truth: "m-2024-0244", cat: "thread-reply", body: `
Dear Devika,

We will. Note that the charterers also deducted bunkers consumed during the breakdown; those figures come from the chief engineer and may take longer.

Claims & Legal`},
		{k: "d-au3", at: "04-18 10:00", fr: "records", to: "devika",
			subj: "2023-0451 – file ready for destruction review", truth: "m-2023-0451", cat: "closed", body: `
Dear Devika,

The closed file for this matter has reached its review date. Please confirm by 30 April whether it may be destroyed or should be retained.

Records Centre`},
		{k: "d-hd", at: "06-03 10:00", fr: "devika", to: "fdunmore",
			subj: "2024-0244 – hearing dates", truth: "m-2024-0244", cat: "number-subject", body: `
Dear Fergus,

The tribunal offers hearing dates in the week of 14 October. Are you and the chief engineer available?

Devika`},
		{k: "d-hd2", at: "06-04 09:00", fr: "fdunmore", to: "devika", re: "d-hd",
			truth: "m-2024-0244", cat: "number-subject", body: `
Dear Devika,

I am, but the chief engineer will be at sea until November. Can he give evidence by video?

Fergus`},

		// ---- walled: m-2024-0297 ------------------------------------------------------
		{k: "d-wall", at: "02-26 18:00", fr: "risk", to: "devika",
			subj: "Ethical wall – Marlow Family Office v. Copperleaf Capital (2024-0297)", truth: "m-2024-0297", cat: "walled",
			note: "wall notice to the walled lawyer herself; it belongs in the matter's file", body: `
Dear Devika,

You are walled off from this matter because of your previous work for the claimant at your former firm. You must not access its documents, discuss it with the team or attend meetings about it.

Please confirm by reply that you have read this notice.`},
		{k: "d-misdir", at: "03-07 10:00", fr: "baptiste", to: "devika",
			subj: "Board minutes you asked for", truth: "m-2024-0297", cat: "walled",
			note: "misdirected client mail to the walled lawyer; the opposing party named in the body decides", body: `
Hi,

Here are the minutes of the March 2021 investment committee that the letter from Marlow Family Office refers to. Let me know if you need the annexes.

Lucie`},
		{k: "d-misdir2", at: "03-07 15:20", fr: "devika", to: "risk", cc: "alice", fwdAs: "d-misdir",
			subj: "Misdirected email – walled matter", truth: "m-2024-0297", cat: "walled",
			note: "the walled lawyer reports the misdirected mail, attached as message/rfc822", body: `
Dear colleagues,

The attached email reached me by mistake; it concerns a matter I am walled off from. I have not opened the attachment. Please advise whether I should delete it.

Devika`},

		// ---- not matter-related -------------------------------------------------------
		{k: "d-arjun", at: "01-19 20:00", fr: "arjun", to: "devika",
			subj: "Mum's birthday – Saturday 3rd?", truth: "none", cat: "not-matter",
			note: "personal mail from gmail.example, generic label by mistake", body: `
Hey Dev,

Are you free on Saturday 3 February for Mum's birthday lunch? I booked the place in Southall for 1 pm.

Arjun`},
		{k: "d-elb", at: "02-23 07:00", fr: "lawsoc", to: "devika", form: fHTML, sys: "Inbox,Category Updates",
			subj: "Employment Law Brief: tribunal fees consultation", truth: "none", cat: "not-matter",
			note: "HTML-only newsletter",
			html: `<html><body><h1>Employment Law Brief</h1>
<p>The government has opened a consultation on reintroducing fees in employment tribunals. Responses are due by 25 March.</p>
<p><a href="https://lawsociety-news.example/prefs">Manage your preferences</a></p></body></html>`},
		{k: "d-vpn", at: "03-28 12:00", fr: "it", to: "devika", trap: "2024-0155",
			subj: "[Ticket 2024-0155] VPN token replacement", truth: "none", cat: "misleading-number",
			note: "an IT ticket number equals a matter number", body: `
Hello Devika,

Your new VPN token is ready for collection at the IT desk on the 4th floor.

Ticket: 2024-0155
Status: Awaiting collection`},
	}
}

func emilMail() []msg {
	return []msg{
		// ---- m-2024-0133 Growth III, c-2024-066 -----------------------------------
		{k: "e-g1", at: "01-08 10:00", fr: "baptiste", to: "emil", lab: lGrowth,
			subj: "2024-0133 – first close timetable", truth: "m-2024-0133", cat: "number-subject", body: `
Emil,

We are aiming for a first close on 28 March with about USD 300 million of commitments. Can the partnership agreement be final by 8 March?

Lucie`},
		{k: "e-g2", at: "01-08 15:00", fr: "emil", to: "baptiste", re: "e-g1", split: true,
			subj: "Key terms – management fee step-down", truth: "m-2024-0133", cat: "thread-reply", body: `
Lucie,

8 March is achievable if we agree the key terms this month. The main open point is the fee step-down after the investment period: you proposed 1.5 percent on invested capital, the anchor investor wants 1.25.

Emil`},
		{k: "e-g3", at: "01-09 09:30", fr: "baptiste", to: "emil", re: "e-g2",
			truth: "m-2024-0133", cat: "thread-reply", body: `
Emil,

We can go to 1.35 percent. Please propose that to the anchor investor's counsel.

Lucie`},
		{k: "e-lpa", at: "01-23 19:00", fr: "emil", to: "baptiste",
			subj: "Partnership agreement – draft v2", truth: "m-2024-0133", cat: "number-attachment",
			att: []att{{name: "2024-0133_LPA_draft_v2.docx", data: "PK stub: limited partnership agreement, draft 2"}}, body: `
Lucie,

Attached is the second draft of the partnership agreement, with the fee step-down at 1.35 percent and the new key person clause.

Emil`},
		{k: "e-lpa2", at: "01-24 11:00", fr: "baptiste", to: "emil", re: "e-lpa",
			truth: "m-2024-0133", cat: "thread-reply", body: `
Emil,

Thanks. The key person clause should name both founders, not only Marcus. Otherwise fine.

Lucie`},
		{k: "e-mfn", at: "02-06 10:00", fr: "eastmoor", to: "emil",
			subj: "Side letter – MFN election", truth: "c-2024-066", cat: "participant", body: `
Dear Mr Sandberg,

The trustees wish to elect the benefit of the reduced management fee granted to another investor under the most favoured nation clause of their side letter.

Secretary to the Trustees`},
		{k: "e-mfnf", at: "02-07 09:00", fr: "emil", to: "baptiste", fwd: "e-mfn", split: true,
			subj: "Investor's MFN election", truth: "c-2024-066", cat: "thread-forward", body: `
Lucie,

See below. The most favoured nation clause excludes terms given to investors committing more than USD 50 million, so I think the election fails. Shall I answer along those lines?

Emil`},
		{k: "e-mfn2", at: "02-08 10:00", fr: "baptiste", to: "emil", re: "e-mfnf",
			truth: "c-2024-066", cat: "thread-reply", body: `
Emil,

Yes, please, but politely: they are a good investor and we want them in the next fund.

Lucie`},
		{k: "e-slx", at: "02-20 16:00", fr: "emil", to: "eastmoor",
			subj: "C-2024-066 – side letter execution", truth: "c-2024-066", cat: "number-subject", body: `
Dear Secretary,

The side letter is ready for execution. Please have it signed by two trustees and return the scan to me; the general partner will countersign the same day.

Kind regards,
Emil Sandberg`},
		{k: "e-slletter", at: "04-11 12:00", fr: "emil", to: "eastmoor",
			subj: "Side letter – your MFN elections", truth: "c-2024-066", cat: "number-body", body: `
Our reference: C-2024-066

Dear Secretary,

Following the final close, we enclose the compendium of side letter terms. The trustees may make their elections within 30 days.

Kind regards,
Emil Sandberg`},
		{k: "e-two", at: "05-14 10:00", fr: "baptiste", to: "emil", trap: "2024-0133|Growth III",
			subj: "2024-0133 / C-2024-066 – does the pension scheme's MFN reach the fee step-down?", truth: "c-2024-066", cat: "conflict-two-numbers",
			note: "two numbers; the question is about the side letter", body: `
Emil,

The trustees now say that their side letter's MFN clause covers the fee step-down in the Growth III partnership agreement, because it is a "fee term". Do they have a point?

Lucie`},
		{k: "e-g4", at: "06-03 10:00", fr: "baptiste", to: "emil",
			subj: "Growth III – second close investors", truth: "m-2024-0133", cat: "alias", body: `
Emil,

We have eleven new investors for the second close on 28 June, including two family offices. Can your team run the subscription checks?

Lucie`},
		{k: "e-g5", at: "06-04 09:00", fr: "emil", to: "baptiste", re: "e-g4", split: true,
			subj: "Second close – AML documents outstanding", truth: "m-2024-0133", cat: "thread-reply", body: `
Lucie,

Yes. Three investors have not sent their AML documents yet; I will chase them directly unless you prefer to do it.

Emil`},
		{k: "e-g6", at: "06-18 11:00", fr: "baptiste", to: "emil",
			subj: "Our ref 2024-0133 – final close", truth: "m-2024-0133", cat: "number-subject", body: `
Emil,

We will hold the final close on 28 June together with the second close. Please prepare the closing documents.

Lucie`},
		{k: "e-g7", at: "06-19 09:00", fr: "emil", to: "baptiste", re: "e-g6", split: true,
			subj: "Closing call – Friday 10am", truth: "m-2024-0133", cat: "thread-reply", body: `
Lucie,

Let us hold a closing call on Friday at 10 am to run through the checklist.

Emil`},

		// ---- Ostara -------------------------------------------------------------
		{k: "e-k1", at: "01-17 10:00", fr: "tanaka", to: "emil", lab: lKelsall,
			subj: "C-2024-035 licence – milestone payments", truth: "c-2024-035", cat: "number-subject", body: `
Emil,

The university wants USD 2 million on the start of phase II trials and USD 5 million on approval. We offered 1 and 4. Where do you think they will land?

Beth`},
		{k: "e-k2", at: "01-18 09:00", fr: "emil", to: "tanaka", re: "e-k1", split: true,
			subj: "Sublicensing consent", truth: "c-2024-035", cat: "thread-reply", body: `
Beth,

They will probably settle at 1.5 and 4.5. The bigger issue for you is the consent right on sublicensing: you need freedom to partner in Asia without their approval.

Emil`},
		{k: "e-k3", at: "01-19 11:00", fr: "tanaka", to: "emil", re: "e-k2",
			truth: "c-2024-035", cat: "thread-reply", body: `
Emil,

Agreed, sublicensing is a must-have. Please trade the milestones for it if needed.

Beth`},
		{k: "e-tto", lab: lKelsall, at: "02-01 11:00", fr: "kelsall", to: "emil",
			subj: "Licence agreement – IP in improvements", truth: "c-2024-035", cat: "participant", body: `
Dear Mr Sandberg,

The university cannot agree that improvements made by the licensee belong to the licensee alone where university staff contributed. We propose joint ownership in those cases.

Technology Transfer Office`},
		{k: "e-newm", at: "01-30 14:00", fr: "tanaka", to: "emil",
			subj: "Lab space at Kelsall Science Park – can you help?", truth: "none", cat: "new-matter",
			note: "client asks about a new lease for which no matter exists yet", body: `
Emil,

We are looking at lab space at Kelsall Science Park for the team we are building next year. Could your real estate colleagues look at the heads of terms? This is separate from the licence.

Beth`},
		{k: "e-fern1", lab: lFern, at: "03-04 17:00", fr: "fernhill", to: "emil",
			subj: "Project Fern – term sheet mark-up", truth: "m-2024-0270", cat: "participant", body: `
Emil,

Our mark-up of the term sheet is attached. We need a 1x non-participating liquidation preference, a board seat and a pro rata right in future rounds.

Nadia`},
		{k: "e-fernf", at: "03-05 08:30", fr: "emil", to: "tanaka", fwd: "e-fern1", split: true,
			subj: "Investor mark-up of the term sheet", truth: "m-2024-0270", cat: "thread-forward", body: `
Beth,

The lead investor's mark-up is below. It is market standard apart from the board seat, which would give the investors a majority with the existing seats.

Emil`},
		{k: "e-fern2", at: "03-05 12:00", fr: "tanaka", to: "emil", re: "e-fernf",
			truth: "m-2024-0270", cat: "thread-reply", body: `
Emil,

We can give the board seat if we add an independent director chosen by the founders. Please propose that.

Beth`},
		{k: "e-cl", at: "03-18 18:00", fr: "emil", to: "tanaka", lab: lFern,
			subj: "2024-0270 – closing checklist", truth: "m-2024-0270", cat: "number-subject",
			att: []att{{name: "closing_checklist.txt", ctype: "text/plain", data: "Closing checklist\n1. Amended charter\n2. Stock purchase agreement\n3. Investors' rights agreement\n4. Board consents\n"}}, body: `
Beth,

Attached is the closing checklist. The amended charter must be filed in Delaware before the funds are wired.

Emil`},
		{k: "e-esop1", at: "04-02 10:00", fr: "tanaka", to: "emil",
			subj: "Refreshing the share option plan", truth: "m-2024-0285", cat: "alias", body: `
Emil,

The investors want us to enlarge the share option plan to 15 percent before the round closes. Can we do that by board resolution, or do we need the stockholders?

Beth`},
		{k: "e-esop2", at: "04-03 09:00", fr: "emil", to: "tanaka",
			subj: "Our ref 2024-0285 – option plan rules (draft)", truth: "m-2024-0285", cat: "number-subject", body: `
Beth,

Stockholder approval is needed for the increase. I attach draft amended plan rules and the stockholder consent.

Emil`},
		{k: "e-esop3", at: "04-04 10:00", fr: "tanaka", to: "emil", re: "e-esop2", split: true,
			subj: "Good and bad leaver definitions", truth: "m-2024-0285", cat: "thread-reply", body: `
Emil,

Looks good. Can we tighten the bad leaver definition so that it covers breach of the non-compete?

Beth`},
		{k: "e-kms", at: "04-16 14:00", fr: "emil", to: "kelsall",
			subj: "Notice of milestone achievement", truth: "c-2024-035", cat: "number-body", body: `
Our ref: C-2024-035

Dear colleagues,

On behalf of the licensee we give notice that the first patient was dosed in the phase II trial on 9 April. The milestone payment will be made within 30 days.

Kind regards,
Emil Sandberg`},
		{k: "e-sign", at: "05-02 20:00", fr: "emil", to: "tanaka",
			subj: "Signing set", truth: "m-2024-0270", cat: "number-attachment",
			att: []att{{name: "2024-0270_signing_set.zip", data: "PK stub: signing set"}}, body: `
Beth,

Attached is the signing set with all signature pages. Please circulate to the board for signature tomorrow.

Emil`},
		{k: "e-sign2", at: "05-03 08:00", fr: "tanaka", to: "emil", re: "e-sign",
			truth: "m-2024-0270", cat: "thread-reply", body: `
Emil,

Sent to the board. Two directors are travelling; they will sign by DocuSign tonight.

Beth`},
		{k: "e-roy", lab: lKelsall, at: "05-06 09:00", fr: "kelsall", to: "emil",
			subj: "Royalty report Q1 – not yet received", truth: "c-2024-035", cat: "participant", body: `
Dear Mr Sandberg,

We have not received the royalty report for the first quarter, which was due on 30 April. Could you remind your client?

Technology Transfer Office`},
		{k: "e-royf", at: "05-07 09:00", fr: "emil", to: "tanaka", fwd: "e-roy", split: true,
			subj: "University asks about the Q1 royalty report", truth: "c-2024-035", cat: "thread-forward", body: `
Beth,

See below. Since there were no sales in the first quarter, a nil report is enough, but it must be sent.

Emil`},
		{k: "e-roy2", at: "05-08 10:00", fr: "tanaka", to: "emil", re: "e-royf",
			truth: "c-2024-035", cat: "thread-reply", body: `
Emil,

Our finance team sent the nil report this morning. Thanks for the reminder.

Beth`},
		{k: "e-memo", at: "05-22 15:00", fr: "emil", to: "tanaka", lab: lKelsall,
			subj: "2024-0270 – closing memorandum", truth: "m-2024-0270", cat: "label-conflict",
			note: "the label of the client's licence contract was set by mistake; the number and the content decide", body: `
Beth,

Attached is the closing memorandum for the financing with the final capitalisation table. The round closed at USD 62 million.

Emil`},
		{k: "e-post", at: "06-10 10:00", fr: "tanaka", to: "emil",
			subj: "2024-0270 – post-closing filings", truth: "m-2024-0270", cat: "number-subject", body: `
Emil,

Which filings are still outstanding after the closing? Our auditors want a list.

Beth`},
		{k: "e-post2", at: "06-11 09:00", fr: "emil", to: "tanaka", re: "e-post", split: true,
			subj: "Form D – state notice filings", truth: "m-2024-0270", cat: "thread-reply", body: `
Beth,

The federal notice was filed on 20 May. Four state notices remain, all due by 19 June; we are handling them.

Emil`},

		// ---- c-2024-058 Larchmont HMA, m-2024-0329 ------------------------------
		{k: "e-h1", at: "02-14 09:00", fr: "camari", to: "emil",
			subj: "C-2024-058 HMA – key money and performance test", truth: "c-2024-058", cat: "number-subject", body: `
Emil,

The operator offers key money of GBP 1.5 million but wants a weak performance test: we could only terminate if revenue per room falls below 80 percent of the competitive set for three years.

Chiara`},
		{k: "e-h2", at: "02-15 10:00", fr: "emil", to: "camari", re: "e-h1", split: true,
			subj: "Performance test – termination fee", truth: "c-2024-058", cat: "thread-reply", body: `
Chiara,

I would push for 85 percent over two consecutive years, with a cure right for the operator. If they insist on three years, the key money should be repaid on termination.

Emil`},
		{k: "e-h3", at: "02-22 11:00", fr: "larchmont", to: "emil",
			subj: "HMA – operator's comments", truth: "c-2024-058", cat: "participant", body: `
Dear Emil,

Our comments on the management agreement are in the data room. We cannot accept an owner's right to terminate on a sale of the hotel without a termination fee.

Dean Coyle`},
		{k: "e-h4", at: "03-12 12:00", fr: "camari", to: "emil",
			subj: "Larchmont – brand standards schedule", truth: "c-2024-058", cat: "alias", body: `
Emil,

The brand standards schedule runs to 300 pages. Can we limit our obligation to the standards in force at signing, plus changes that do not require capital expenditure?

Chiara`},
		{k: "e-h5", at: "03-13 09:00", fr: "emil", to: "camari", re: "e-h4", split: true,
			subj: "Brand standards – FF&E reserve", truth: "c-2024-058", cat: "thread-reply", body: `
Chiara,

Yes, that is a common compromise. We should also cap the furniture and equipment reserve at 4 percent of revenue.

Emil`},
		{k: "e-marina", at: "05-09 10:00", fr: "camari", to: "emil",
			subj: "Marina Bay Hotel – premises licence variation", truth: "m-2024-0329", cat: "alias",
			note: "client contact on three targets; the hotel's name decides", body: `
Emil,

Another question: we want to extend the bar hours at the Marina Bay Hotel until 1 am. Do you know a licensing specialist at your firm?

Chiara`},
		{k: "e-marina2", at: "05-09 14:00", fr: "emil", to: "camari", re: "e-marina", split: true,
			subj: "Licensing specialist", truth: "m-2024-0329", cat: "thread-reply", body: `
Chiara,

Yes: my colleague Hugh Dempsey in London handles licensing. I have asked him to call you tomorrow.

Emil`},
		{k: "e-h6", at: "06-17 12:00", fr: "camari", to: "emil",
			subj: "C-2024-058 – signed HMA", truth: "c-2024-058", cat: "number-subject", body: `
Emil,

The operator signed yesterday; our counterpart is in the data room. Thank you for all your work on this.

Chiara`},

		// ---- c-2024-071 MV Corran -----------------------------------------------
		{k: "e-corran", at: "04-29 10:00", fr: "tidefleet", to: "emil",
			subj: "Ship management agreement – MV Corran", truth: "c-2024-071", cat: "participant",
			note: "a client contact listed on this contract only", body: `
Dear Mr Sandberg,

Your London colleagues suggested we contact you about the ship management agreement. The manager wants to limit its liability to ten times the annual fee. Is that usual?

Fleet Management`},
		{k: "e-corran2", at: "04-29 15:00", fr: "emil", to: "tidefleet", re: "e-corran",
			truth: "c-2024-071", cat: "participant", body: `
Dear colleagues,

Yes, the standard form caps the manager's liability at ten times the annual fee, except for gross negligence and wilful default. I will review the rest of the draft this week.

Kind regards,
Emil Sandberg`},

		// ---- walled: m-2024-0231 ----------------------------------------------------
		{k: "e-conf", at: "03-22 10:00", fr: "risk", to: "partners",
			subj: "Conflict search: Brightwater Hotels – purchase from Seagrove Leisure Ltd", truth: "m-2024-0231", cat: "walled",
			note: "firm-wide conflict search for the matter the recipient will be walled from", body: `
Dear partners,

Ruth Calloway proposes to act for Brightwater Hotels plc on the purchase of a hotel in Brighton from Seagrove Leisure Ltd. Please reply by 5 pm today if you have any conflict or personal interest.`},
		{k: "e-wall", at: "03-25 09:00", fr: "risk", to: "emil",
			subj: "Ethical wall: Brightwater – acquisition of the Seagrove Hotel (2024-0231)", truth: "m-2024-0231", cat: "walled", body: `
Dear Emil,

Following your declaration, you are walled off from this matter. You must not access its documents or discuss it with the team, including in your work for the same client on other matters.

Please confirm by reply.`},
		{k: "e-spa", at: "04-23 10:00", fr: "camari", to: "emil",
			subj: "Seagrove – could you look at the SPA warranties?", truth: "m-2024-0231", cat: "walled",
			note: "the client asks the walled partner about the matter", body: `
Emil,

Since you know our business so well, could you have a quick look at the warranties in the share purchase agreement for the hotel deal? Ruth's team is stretched.

Chiara`},

		// ---- not matter-related ------------------------------------------------------
		{k: "e-regatta", at: "01-12 18:00", fr: "harbourclub", to: "emil",
			subj: "Spring regatta – crew list", truth: "none", cat: "not-matter",
			note: "personal mail, generic label by mistake", body: `
Dear members,

The spring regatta takes place on 18 May. Skippers, please send your crew lists by 30 April.

Harbour Sailing Club`},
		{k: "e-pfw", at: "02-16 06:00", fr: "pfw", to: "emil", form: fHTML, sys: "Inbox,Category Updates",
			subj: "Private Funds Weekly: GP-led secondaries hit a record", truth: "none", cat: "not-matter",
			note: "HTML-only newsletter",
			html: `<html><body><h1>Private Funds Weekly</h1>
<p>GP-led secondaries reached a record volume last year. We look at the terms of continuation funds and what investors ask for.</p>
<p><a href="https://privatefundsweekly.example/unsubscribe">Unsubscribe</a></p></body></html>`},
		{k: "e-bill", at: "03-13 10:00", fr: "accounts", to: "emil", trap: "2024-0133|2024-0270|C-2024-035",
			subj: "Q1 pro formas for approval", truth: "none", cat: "admin-numbers",
			note: "firm billing admin listing three matter numbers", body: `
Dear Emil,

Please approve the Q1 pro forma invoices for 2024-0133, 2024-0270 and C-2024-035 by Friday so that they can go out with the March run.

Accounts`},
		{k: "e-wine", at: "04-19 12:00", fr: "cellar", to: "emil", sys: "Inbox,Category Promotions", trap: "2024-0270",
			subj: "Your Cellar Club order 2024-0270 has been dispatched", truth: "none", cat: "misleading-number",
			note: "a wine club order number equals a matter number", body: `
Dear Emil,

Your order 2024-0270 (6 bottles, spring selection) has been dispatched and will arrive on Tuesday.

Cellar Club`},
	}
}

// ghosts are messages that lie in no exported mailbox: a client forwards
// or a lawyer answers them.
func ghosts() []msg {
	return []msg{
		{k: "g-br", at: "02-09 14:00", fr: "betriebsrat", to: "jose",
			subj: "Stellungnahme des Betriebsrats zur geplanten Kurzarbeit", body: `
Sehr geehrter Herr Müller,

der Betriebsrat hat sich in seiner Sitzung vom 8. Februar mit der geplanten Kurzarbeit befasst. Wir sind zu Verhandlungen über eine Betriebsvereinbarung bereit, erwarten aber eine Aufstockung des Kurzarbeitergeldes auf 90 Prozent und den Ausschluss betriebsbedingter Kündigungen während der Laufzeit.

Mit freundlichen Grüßen`},
	}
}

// ---------------------------------------------------------------------------
// More correspondence, by mailbox.

func aliceMore() []msg {
	return []msg{
		{k: "a-korva3", at: "04-02 11:00", fr: "alice", to: "korva", cc: "reyes",
			subj: "C-2024-063 Korva licence – revised royalty floor", truth: "c-2024-063", cat: "number-subject", body: `
Dear colleagues,

Our client can accept a royalty floor of 2 percent of net sales where third-party royalties are stacked, but not 2.5 percent. In return we would drop the request for a minimum annual royalty in the first two years.

Kind regards,
Alice Harper`},
		{k: "a-korva4", at: "04-03 09:30", fr: "korva", to: "alice", cc: "reyes", re: "a-korva3",
			truth: "c-2024-063", cat: "number-subject", body: `
Dear Ms. Harper,

We can agree to 2 percent on that basis. Please send a clean draft and we will take it to our board on 18 April.

Kind regards,
Licensing Team`},
		{k: "a-lx9b", at: "05-15 10:00", fr: "alice", to: "reyes",
			subj: "2024-0322 – export classification: engagement letter", truth: "m-2024-0322", cat: "number-subject", body: `
Tomás,

Our trade regulation team will take on the classification. Attached is a short engagement letter; the fixed fee covers the classification opinion and one call with your logistics team.

Alice`},
		{k: "a-lx9c", at: "05-16 09:00", fr: "reyes", to: "alice", re: "a-lx9b", split: true,
			subj: "Product specification sheet", truth: "m-2024-0322", cat: "thread-reply", body: `
Alice,

Signed letter attached. Our product manager will send the specification sheet and the wavelength tolerances to your team directly; they are confidential, so please limit them to the people working on this.

Tomás`},
		{k: "a-hq3", at: "05-06 18:00", fr: "quist", to: "alice", lab: lLumen,
			subj: "Answer and counterclaims", truth: "m-2024-0262", cat: "participant", body: `
Alice,

Please find attached our client's answer, affirmative defences and counterclaims for a declaration of invalidity and non-infringement, filed this afternoon.

Hannah`},
		{k: "a-mk5", at: "05-09 17:00", fr: "alice", to: "osei",
			subj: "Rough transcript of yesterday's deposition", truth: "m-2024-0175", cat: "number-attachment",
			att: []att{{name: "2024-0175_deposition_rough_transcript.txt", ctype: "text/plain", data: "ROUGH DRAFT - NOT CERTIFIED\nQ. Did you synchronise the repository to your personal account?\nA. I do not recall.\n"}}, body: `
Richard,

Attached is the rough transcript of yesterday's deposition. The key passage is on pages 112 to 118, where he could not explain the synchronisation two days before he resigned.

The certified transcript follows in ten days.

Alice`},
		{k: "a-el8", at: "04-10 10:00", fr: "alice", to: "margaret",
			subj: "Discovery – the doctor's records", truth: "m-2024-0190", cat: "number-body", body: `
Our reference: 2024-0190

Dear Margaret,

Dr. Feinberg's office has agreed to release Harold's records for 2020 and 2021 once you sign the enclosed authorisation as executor. Please sign where marked and return it in the prepaid envelope.

Best regards,
Alice`},
		{k: "a-mw4", at: "05-13 09:00", fr: "alice", to: "baptiste", lab: lMarlow,
			subj: "2024-0297 – mediation statement", truth: "m-2024-0297", cat: "number-subject", body: `
Lucie,

The draft mediation statement is ready for your review. It is confidential to the mediator and argues that the fee waiver was disclosed in the side letter compendium sent to every investor in 2021.

Alice`},
		{k: "a-mw5", at: "05-14 11:30", fr: "baptiste", to: "alice", re: "a-mw4", split: true,
			subj: "Investment committee minutes – privilege", truth: "m-2024-0297", cat: "thread-reply", body: `
Alice,

The statement reads well. One concern: it quotes the investment committee minutes. Do we waive privilege over them if we show them to the mediator?

Lucie`},
		{k: "a-pike", at: "04-25 11:00", fr: "pike", to: "alice",
			subj: "Settlement agreement – execution and withdrawal", truth: "m-2024-0288", cat: "domain",
			note: "an associate of the other side's firm who is not listed; the firm's domain belongs to this matter only", body: `
Dear Alice,

Imogen asked me to coordinate execution. Our client will sign the settlement agreement on Monday; we will then file the amendment limiting the specification, and your client can withdraw the opposition the following day.

Best regards,
James Pike`},
		{k: "a-ortiz", at: "03-06 15:00", fr: "ortiz", to: "alice",
			subj: "Document production – medical records", truth: "m-2024-0190", cat: "domain",
			note: "a paralegal of the other side's firm who is not listed; the firm's domain belongs to this matter only", body: `
Dear Ms. Harper,

Mr. Voss asked me to follow up on our request for the decedent's medical records for 2020 and 2021. Could you let us know when we can expect them?

Nina Ortiz`},
		{k: "a-scan", at: "01-17 09:32", fr: "scannerny", to: "alice", nosig: true, trap: "2024-0117",
			subj: "Scanned document from HL-MFP-NY2", truth: "none", cat: "misleading-number",
			note: "the scanner names files by date (YYYY-MMDD): 2024-0117 is 17 January, and the scan is a CLE attendance sheet",
			att:  []att{{name: "HL-MFP-NY2_2024-0117_0932.pdf", data: pdf("CLE attendance sheet - Ethics in E-Discovery - signed")}}, body: `
Please open the attached document. It was scanned and sent to you using HL-MFP-NY2.

Number of Pages: 1
Attachment File Type: PDF
Device Location: 12th floor, Varick Street`},
		{k: "a-medcc", at: "05-21 16:00", fr: "alice", to: "mediator", cc: "marco",
			subj: "Mediation on May 28 – statements and attendance", truth: "m-2024-0117", cat: "shared-counsel",
			note: "opposing counsel on two matters of two clients is in Cc; the parties named in the body decide", body: `
Dear Case Administrator,

For the mediation on May 28 before Judge Holloway (ret.), Acme Widgets, Inc. will attend with its general counsel and its chief financial officer. Counsel for Beta Logistics LLC, copied, has told me that his client will attend with its chief operating officer.

Our confidential mediation statement will reach you by May 23.

Regards,
Alice Harper`},
		{k: "a-hv4", at: "02-26 10:30", fr: "alice", to: "fenella", lab: lHarvest,
			subj: "Re: 2024-0288 – witness statement of the supply chain director", truth: "m-2024-0288", cat: "number-subject", body: `
Fenella,

The draft witness statement is in the data room. Please ask David to check paragraphs 8 to 12 on the lockdown closure carefully; he must be able to stand by every sentence in cross-examination.

Alice`},
	}
}

func benMore() []msg {
	return []msg{
		{k: "b-cat3", at: "05-20 10:00", fr: "ben", to: "greenproc",
			subj: "C-2024-044 – framework agreement for signature", truth: "c-2024-044", cat: "number-subject", body: `
Dear colleagues,

The standstill period has ended without challenge, so the framework agreement can now be signed. Please arrange signature by two trustees; the supplier will sign in counterpart.

Kind regards,
Ben Okafor`},
		{k: "b-cat4", at: "05-21 11:00", fr: "oduya", to: "ben",
			subj: "Mobilisation plan for September", truth: "c-2024-044", cat: "domain", body: `
Dear Ben,

Ahead of the start in September we attach our mobilisation plan: kitchen audits in July, staff transfers on 1 September, first menus on 4 September. Could the schools confirm their kitchen access arrangements?

Kemi Oduya`},
		{k: "b-apex2", at: "05-02 09:00", fr: "whitfield", to: "ben",
			subj: "Framework award – insurance certificates", truth: "c-2024-061", cat: "domain", body: `
Dear Mr Okafor,

Thank you for the award letter. Attached are our employer's liability and public liability certificates, as required before the framework is signed.

Jo Whitfield`},
		{k: "b-roof3", at: "06-12 14:00", fr: "ben", to: "quayle",
			subj: "C-2024-061 – first call-off order", truth: "c-2024-061", cat: "number-subject", body: `
Martin,

Attached is the first call-off order for the re-roofing of blocks A and B. The price comes from the framework rates; the start date is 8 July and the works must be finished before the autumn.

Ben`},
		{k: "b-cp4", at: "04-15 10:00", fr: "ben", to: "fenella",
			subj: "C-2024-052 – signature version", truth: "c-2024-052", cat: "number-subject", body: `
Fenella,

Attached is the signature version with the minimum volume at 350,000 units, the evidence requirement for packaging costs and the dedicated line for your products.

Ben`},
		{k: "b-cp5", at: "04-16 09:00", fr: "fenella", to: "ben", re: "b-cp4", split: true,
			subj: "Signing authority", truth: "c-2024-052", cat: "thread-reply", body: `
Ben,

Looks good. Can our operations director sign alone, or do we need a second signatory under our articles?

Fenella`},
		{k: "b-kowal", at: "04-19 15:00", fr: "kowal", to: "ben",
			subj: "Signed co-packing agreement", truth: "c-2024-052", cat: "domain",
			note: "the co-packer's commercial director is not listed; the co-packer's domain belongs to this contract only", body: `
Dear Ben,

Attached is our signed counterpart. We look forward to the first production run in June.

Marta Kowal`},
		{k: "b-doyle", at: "05-13 10:00", fr: "doyle", to: "ben",
			subj: "Delivery schedule for the tractor units", truth: "c-2024-069", cat: "domain", body: `
Dear Mr Okafor,

The first 20 tractor units will be delivered to the Ipswich and Daventry depots in the week of 1 July, the rest in August. Please confirm who will sign the delivery receipts for the lessee.

Rob Doyle`},
		{k: "b-gran5", at: "04-22 10:00", fr: "ben", to: "june",
			subj: "Granary Mills' response", truth: "m-2024-0251", cat: "number-body", body: `
Our ref: 2024-0251

June,

Granary Mills have replied. They resume deliveries from Monday and offer to pay half of your extra flour costs. I think we can get the full amount; shall I push back?

Ben`},
		{k: "b-shah", at: "03-27 12:00", fr: "shah", to: "ben",
			subj: "Costs budget for the housing claims", truth: "m-2024-0208", cat: "domain", body: `
Dear Mr Okafor,

We enclose our costs budget for the eleven claims. We would be grateful for your client's proposals on costs before the settlement meeting.

Meera Shah`},
		{k: "b-corvacc", at: "03-04 09:00", fr: "corvidacc", to: "ben",
			subj: "First invoice under the supply agreement", truth: "c-2024-031", cat: "domain",
			note: "the supplier's accounts address is not listed; the supplier's domain belongs to this contract only", body: `
Dear Mr Okafor,

Your client's purchasing team asked us to send you a copy of our first invoice under the supply agreement, as they query the price adjustment for aluminium. Could you confirm the correct index?

Accounts Receivable`},
		{k: "b-ac4", at: "03-20 16:00", fr: "ben", to: "quayle", lab: lAlder,
			subj: "2024-0208 – surveyor's report", truth: "m-2024-0208", cat: "number-subject", body: `
Martin,

The surveyor's report is in. He finds condensation mould in eight flats, caused mainly by blocked vents and drying laundry, and penetrating damp in three flats from defective pointing. We are liable for the three.

Ben`},
		{k: "b-lukas3", at: "04-24 11:00", fr: "ben", to: "lukas",
			subj: "Service charge statement 2023", truth: "m-2024-0142", cat: "number-body", body: `
Our reference: 2024-0142

Dear Mr Feldmann,

Following the inspection of the supporting documents, our client accepts the statement except for the external lighting costs of EUR 2,870, which relate to the neighbouring plot.

Kind regards,
Ben Okafor`},
	}
}

func chloeMore() []msg {
	return []msg{
		{k: "c-w5", at: "03-05 17:00", fr: "chloe", to: "jose", lab: lWeber,
			subj: "Re: 2024-0203 – Vorbereitung Gütetermin", truth: "m-2024-0203", cat: "number-subject", body: `
Lieber Herr Müller,

danke für das gute Gespräch heute. Wie besprochen biete ich im Termin zunächst 35.000 € an und gehe bei Bedarf auf 45.000 €. Bitte sorgen Sie dafür, dass Sie am 12. März telefonisch erreichbar sind.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-w6", at: "03-20 09:00", fr: "jose", to: "chloe",
			subj: "2024-0203 – Widerruf des Vergleichs?", truth: "m-2024-0203", cat: "number-subject", body: `
Liebe Frau Lindqvist,

der Beirat fragt, ob wir den Vergleich noch widerrufen sollten, weil die Abfindung über dem Budget liegt. Wie sehen Sie die Chancen im Kammertermin?

Viele Grüße
José Müller`},
		{k: "c-w7", at: "03-20 12:00", fr: "chloe", to: "jose", re: "c-w6", split: true,
			subj: "Widerrufsfrist", truth: "m-2024-0203", cat: "thread-reply", body: `
Lieber Herr Müller,

ich rate vom Widerruf ab. Die Kammer hat deutlich gemacht, dass sie die Sozialauswahl für angreifbar hält. Ein Urteil könnte teurer werden als der Vergleich. Die Frist endet am 26. März um 24 Uhr.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-kanzlei", at: "04-24 10:00", fr: "kanzleibrandt", to: "chloe",
			subj: "Zeugnisentwurf", truth: "m-2024-0203", cat: "domain",
			note: "the other side's office address is not listed; the firm's domain belongs to this matter only", body: `
Sehr geehrte Frau Lindqvist,

im Auftrag von Frau Rechtsanwältin Brandt übersenden wir den Entwurf des Arbeitszeugnisses, wie im Vergleich vereinbart. Wir bitten um Rückmeldung bis zum 30. April.

Mit freundlichen Grüßen`},
		{k: "c-alpenbuch", at: "06-12 14:00", fr: "alpenbuch", to: "chloe",
			subj: "Rechnungsanschrift für Provisionen", truth: "c-2024-047", cat: "domain", body: `
Sehr geehrte Frau Lindqvist,

für die Provisionsabrechnungen benötigen wir die korrekte Rechnungsanschrift Ihrer Mandantin und ihre UID-Nummer. Können Sie uns diese mitteilen?

Mit freundlichen Grüßen`},
		{k: "c-nl8", at: "05-15 11:00", fr: "chloe", to: "kaur",
			subj: "Revenue targets – first review", truth: "c-2024-039", cat: "number-body", body: `
Our reference: C-2024-039

Hi Simran,

The first revenue review under the reseller agreement falls on 30 September. If the reseller misses the target by more than 20 percent, you may end its exclusivity on 60 days' notice.

Chloe`},
		{k: "c-ka10", at: "05-06 15:00", fr: "chloe", to: "jose",
			subj: "Merkblatt für die Beschäftigten", truth: "m-2024-0266", cat: "number-attachment",
			att: []att{{name: "2024-0266_Merkblatt_Beschaeftigte.pdf", data: pdf("Merkblatt fuer die Beschaeftigten")}}, body: `
Lieber Herr Müller,

anbei das Merkblatt für die Beschäftigten mit den wichtigsten Fragen und Antworten. Sie können es zusammen mit der Vereinbarung aushängen.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-al13", at: "06-18 10:00", fr: "chloe", to: "jose", lab: lAlpen,
			subj: "C-2024-047 – Provisionsabrechnung Q2", truth: "c-2024-047", cat: "number-subject", body: `
Lieber Herr Müller,

der Händler hat nach der Provisionsabrechnung gefragt. Nach dem Vertrag ist sie 30 Tage nach Quartalsende fällig, also Ende Juli.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-abf3", at: "02-06 14:00", fr: "chloe", to: "jose", re: "c-abf2",
			truth: "m-2024-0203", cat: "number-quoted", note: "reply; the number is only in the twice-quoted text", body: `
Lieber Herr Müller,

eine Erledigungsklausel ist üblich und lässt sich leicht formulieren. Ich nehme die Überstunden ausdrücklich auf.

Viele Grüße
Chloe Lindqvist`},
		{k: "c-nl9", at: "04-12 16:00", fr: "chloe", to: "osei",
			subj: "C-2024-039 – signed reseller agreement", truth: "c-2024-039", cat: "number-subject", body: `
Richard,

Both parties have now signed the reseller agreement. I have stored the signed copy in our file and sent one to Simran.

Chloe`},
	}
}

func devikaMore() []msg {
	return []msg{
		{k: "d-ok4", at: "02-05 11:00", fr: "devika", to: "nair", lab: lOkoro,
			subj: "2024-0129 – draft response to the claim", truth: "m-2024-0129", cat: "number-subject", body: `
Dear Priya,

Attached is the draft response. It denies that he made any protected disclosure and says the dismissal was a fair redundancy. Please check the facts in paragraphs 4 to 15 today; it must be filed tomorrow.

Devika`},
		{k: "d-ok5", at: "02-05 16:00", fr: "nair", to: "devika", re: "d-ok4", split: true,
			subj: "Two corrections", truth: "m-2024-0129", cat: "thread-reply", body: `
Dear Devika,

Two corrections: the consultation meeting was on 12 September, not 14, and the redundancy pool had five people, not four.

Priya`},
		{k: "d-acole2", at: "03-01 10:00", fr: "acole", to: "devika",
			subj: "Agreed list of documents", truth: "m-2024-0129", cat: "domain",
			note: "a paralegal of the claimant's solicitors who is not listed; the firm's domain belongs to this matter only", body: `
Dear Ms Rao,

Please find our proposed list of documents for the hearing bundle. We would be grateful for your additions by 8 March.

Amira Cole`},
		{k: "d-kpatel", at: "03-12 10:00", fr: "kpatel", to: "devika",
			subj: "Stock audit – site visit", truth: "m-2024-0155", cat: "domain",
			note: "an insurer employee who is not listed; the insurer's domain belongs to this matter only", body: `
Dear Ms Rao,

Our stock auditors would like to visit the site on 19 March to inspect the remaining pallets. Please confirm access and a contact at the depot.

Sunil Patel`},
		{k: "d-fx4", at: "03-01 12:00", fr: "devika", to: "sorensen", lab: lFelix,
			subj: "2024-0155 – the broker's email of 3 October", truth: "m-2024-0155", cat: "number-subject", body: `
Helle,

The broker's email of 3 October is decisive: it told the insurer that the sprinklers would be off for maintenance on 8 to 10 December. The insurer cannot rely on the warranty after being told.

Devika`},
		{k: "d-fx5", at: "04-15 15:00", fr: "devika", to: "adebayo",
			subj: "Your witness statement", truth: "m-2024-0155", cat: "number-attachment",
			att: []att{{name: "2024-0155_WS_Adebayo_draft.docx", data: "PK stub: witness statement, draft 1"}}, body: `
Dear Nia,

Attached is the first draft of your witness statement, based on our call. Please correct anything that is not exactly right; it must be in your own words.

Devika`},
		{k: "d-cl5", at: "04-02 10:00", fr: "devika", to: "fenella", lab: lColdline,
			subj: "Settlement offer from the haulier", truth: "m-2024-0301", cat: "number-body", body: `
Our ref: 2024-0301

Fenella,

The haulier's solicitors offer GBP 40,000 in full settlement. Given the loading dock records, I think we can get at least GBP 65,000. I recommend rejecting the offer and proposing a meeting.

Devika`},
		{k: "d-cl6", at: "04-03 09:00", fr: "fenella", to: "devika", re: "d-cl5",
			truth: "m-2024-0301", cat: "number-quoted", body: `
Devika,

Agreed, please reject it and propose a meeting in July.

Fenella`},
		{k: "d-ss3", at: "04-20 10:00", fr: "devika", to: "fdunmore",
			subj: "2024-0244 – witness statement of the chief engineer", truth: "m-2024-0244", cat: "number-subject", body: `
Dear Fergus,

The tribunal has ordered witness statements by 17 May. Could you arrange a call with the chief engineer while the vessel is in port?

Devika`},
		{k: "d-sb7", at: "05-02 11:00", fr: "devika", to: "lindgren", lab: lSolberg,
			subj: "2024-0219 – expert report on the index", truth: "m-2024-0219", cat: "number-subject", body: `
Dear Per,

Our expert will need the trading desk's daily price data for 2022. Could you send it in the same format as before?

Devika`},
		{k: "d-br5", at: "04-06 10:00", fr: "devika", to: "nair",
			subj: "2024-0279 – the regulator closes its file", truth: "m-2024-0279", cat: "number-subject", body: `
Dear Priya,

Good news: the regulator has closed its file without further action, noting the prompt report and the remote wipe. It recommends encrypting all staff laptops by the end of the year.

Devika`},
	}
}

func emilMore() []msg {
	return []msg{
		{k: "e-corran3", at: "05-20 10:00", fr: "emil", to: "tidefleet",
			subj: "C-2024-071 – marked-up management agreement", truth: "c-2024-071", cat: "number-subject", body: `
Dear colleagues,

Attached is our mark-up of the ship management agreement. The main changes concern the manager's purchasing authority and the insurance the manager must hold.

Kind regards,
Emil Sandberg`},
		{k: "e-corran4", at: "05-21 09:00", fr: "tidefleet", to: "emil", re: "e-corran3",
			truth: "c-2024-071", cat: "number-subject", body: `
Dear Mr Sandberg,

Thank you. We have sent the mark-up to the manager and will revert once we have their comments.

Fleet Management`},
		{k: "e-marina3", at: "05-27 10:00", fr: "emil", to: "camari",
			subj: "2024-0329 – engagement letter for the licence variation", truth: "m-2024-0329", cat: "number-subject", body: `
Chiara,

Hugh has prepared the engagement letter for the licence variation. Please sign and return it; he will then submit the application and the notices for the site.

Emil`},
		{k: "e-larch2", at: "06-10 11:00", fr: "larchlegal", to: "emil",
			subj: "HMA – execution logistics", truth: "c-2024-058", cat: "domain", body: `
Dear Mr Sandberg,

Our group general counsel will sign the management agreement on 16 June. Please confirm that your client will sign by DocuSign on the same day.

Legal Department`},
		{k: "e-ruiz", at: "04-30 15:00", fr: "ruiz", to: "emil",
			subj: "Closing deliverables from the investor side", truth: "m-2024-0270", cat: "domain",
			note: "a finance person of the lead investor who is not listed; the investor's domain belongs to this matter only", body: `
Dear Emil,

For closing we will deliver our signature pages, the wire confirmation and the side letter. Please confirm the wire instructions by phone with your finance team before we send funds.

Ana Ruiz`},
		{k: "e-kfin", at: "05-24 10:00", fr: "kelsallfin", to: "emil",
			subj: "Invoice for the milestone payment", truth: "c-2024-035", cat: "domain", body: `
Dear Mr Sandberg,

Please find attached our invoice for the milestone payment that became due on the first patient dosing. Payment is due within 30 days.

Finance Office`},
		{k: "e-eastadv", at: "03-01 10:00", fr: "eastadv", to: "emil",
			subj: "The trustees' questions on excuse rights", truth: "c-2024-066", cat: "domain", body: `
Dear Mr Sandberg,

The trustees ask whether the excuse right in their side letter covers investments in tobacco and thermal coal, or only in tobacco. Could you confirm?

Investment Adviser`},
		{k: "e-esop4", at: "04-20 10:00", fr: "emil", to: "tanaka",
			subj: "Stockholder consent – signatures", truth: "m-2024-0285", cat: "number-body", body: `
Our ref: 2024-0285

Beth,

We have consents from holders of 71 percent of the voting stock, so the increase of the plan is approved. Please file the consent with the minute book.

Emil`},
		{k: "e-g8", at: "02-28 15:00", fr: "emil", to: "baptiste", lab: lGrowth,
			subj: "2024-0133 – side letters for the first close", truth: "m-2024-0133", cat: "number-subject", body: `
Lucie,

Seven investors have asked for side letters. Most requests are standard; two ask for fee discounts that would trigger the most favoured nation clause. I suggest we discuss those two on Friday.

Emil`},
		{k: "e-k4", at: "03-05 16:00", fr: "emil", to: "tanaka", lab: lKelsall,
			subj: "C-2024-035 – signature version of the licence", truth: "c-2024-035", cat: "number-subject", body: `
Beth,

Attached is the signature version of the licence: milestones of 1.5 and 4.5 million, free sublicensing in Asia, joint ownership of improvements made with university staff.

Emil`},
		{k: "e-k5", at: "03-06 09:00", fr: "tanaka", to: "emil", re: "e-k4", split: true,
			subj: "Signing ceremony", truth: "c-2024-035", cat: "thread-reply", body: `
Emil,

The university would like a small signing ceremony on 14 March with the vice-chancellor. Can we sign the originals there, or should we sign by DocuSign first?

Beth`},
		{k: "e-h7", at: "04-10 18:00", fr: "emil", to: "camari",
			subj: "Management agreement – redline v5", truth: "c-2024-058", cat: "number-attachment",
			att: []att{{name: "C-2024-058_HMA_v5_redline.docx", data: "PK stub: hotel management agreement, redline version 5"}}, body: `
Chiara,

Attached is version 5 with our changes to the termination and performance test provisions. The operator has accepted the two-year test.

Emil`},
	}
}
