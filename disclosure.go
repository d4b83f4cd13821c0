package homeward

// DisclosedChild is what leaves of a child with a list entry: the fields a
// disclosure profile gives, never a contact or a note. It is also how a
// received entry is kept, as the other side disclosed it.
type DisclosedChild struct {
	GivenName     string       `json:"given_name,omitempty"`
	FamilyName    string       `json:"family_name,omitempty"`
	Patronymic    string       `json:"patronymic,omitempty"`
	OtherNames    []OtherName  `json:"other_names,omitempty"`
	Sex           Sex          `json:"sex,omitempty"`
	BirthDate     BirthDate    `json:"birth_date"`
	BirthPlace    string       `json:"birth_place,omitempty"`
	LastSeenPlace string       `json:"last_seen_place,omitempty"`
	LastSeenDate  Date         `json:"last_seen_date"`
	Circumstance  Circumstance `json:"circumstance,omitempty"`
	// LegalRepRelation and LegalRepBasis say who may receive the child and
	// on what ground (a birth certificate, a court decision), not who they
	// are or how to reach them.
	LegalRepRelation string `json:"legal_rep_relation,omitempty"`
	LegalRepBasis    string `json:"legal_rep_basis,omitempty"`
	// Siblings are the references of the entries of the child's siblings
	// on the same list.
	Siblings []string `json:"siblings,omitempty"`

	// Standard profile.
	DistinguishingMarks string            `json:"distinguishing_marks,omitempty"`
	Seekers             []DisclosedSeeker `json:"seekers,omitempty"`

	// Full profile: photos and scans, by their content's hash; the bytes
	// travel beside the document.
	Photos []DisclosedFile `json:"photos,omitempty"`
}

// FullName joins the family, given and patronymic names.
func (d *DisclosedChild) FullName() string {
	return joinNonEmpty(d.FamilyName, d.GivenName, d.Patronymic)
}

// DisclosedSeeker is a family member who seeks the child: a name and a
// relation, never a contact.
type DisclosedSeeker struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
}

// DisclosedFile is an attachment that leaves with an entry.
type DisclosedFile struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Filename    string `json:"filename,omitempty"`
}

// Disclose returns what of c leaves under profile p. siblings are the
// references of the entries of c's siblings on the same list; photos the
// attachments of c marked for liaisons, which only the full profile takes.
func Disclose(c *Case, p DisclosureProfile, siblings []string, photos []*Attachment) DisclosedChild {
	d := DisclosedChild{
		GivenName: c.GivenName, FamilyName: c.FamilyName, Patronymic: c.Patronymic,
		Sex: c.Sex, BirthDate: c.BirthDate, BirthPlace: c.BirthPlace,
		LastSeenPlace: c.LastSeenPlace, LastSeenDate: c.LastSeenDate, Circumstance: c.Circumstance,
		Siblings: siblings,
	}
	for _, n := range c.OtherNames {
		// A note on another name ("given by the foster family") is the
		// caseworker's, not the child's name.
		d.OtherNames = append(d.OtherNames, OtherName{Name: n.Name, Script: n.Script})
	}
	for _, m := range c.Family {
		if m.LegalRep {
			d.LegalRepRelation, d.LegalRepBasis = m.Relation, m.LegalProof
			break
		}
	}
	if p.Includes(ProfileStandard) {
		d.DistinguishingMarks = c.DistinguishingMarks
		for _, m := range c.Family {
			if m.Name != "" {
				d.Seekers = append(d.Seekers, DisclosedSeeker{Name: m.Name, Relation: m.Relation})
			}
		}
	}
	if p.Includes(ProfileFull) {
		for _, a := range photos {
			if a.LiaisonVisible {
				d.Photos = append(d.Photos, DisclosedFile{SHA256: a.SHA256, ContentType: a.ContentType, Size: a.Size, Filename: a.Filename})
			}
		}
	}
	return d
}

// DisclosedField is one field of a child and the least profile that
// discloses it, for the page that says before sealing what leaves.
type DisclosedField struct {
	Field   string            `json:"field"` // the case field's JSON name
	Profile DisclosureProfile `json:"profile"`
}

// DisclosureTable lists every field of a case and the least profile that
// discloses it; Never marks what leaves under no profile.
var DisclosureTable = []DisclosedField{
	{"given_name", ProfileMinimal}, {"family_name", ProfileMinimal}, {"patronymic", ProfileMinimal},
	{"other_names", ProfileMinimal}, {"sex", ProfileMinimal}, {"birth_date", ProfileMinimal},
	{"birth_place", ProfileMinimal}, {"last_seen_place", ProfileMinimal}, {"last_seen_date", ProfileMinimal},
	{"circumstance", ProfileMinimal}, {"legal_rep", ProfileMinimal}, {"siblings", ProfileMinimal},
	{"distinguishing_marks", ProfileStandard}, {"family.names", ProfileStandard},
	{"photos", ProfileFull},
	{"family.contacts", Never}, {"notes", Never}, {"other_names.notes", Never},
}

// Never is the pseudo-profile of fields that never leave.
const Never DisclosureProfile = "never"
