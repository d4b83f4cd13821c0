package names

import "strconv"

// Reason says why two names are considered similar.
type Reason uint8

// Reasons. Their order is not their strength: the score says how strong
// a link is, the reason why.
const (
	Different Reason = iota
	Identical
	Normalised
	Transliteration
	Equivalent // Ukrainian/Russian (or foreign) form of the same name
	Diminutive
	GenderForm
	Phonetic
	Typo
)

var reasonText = [...]string{
	Different:       "different",
	Identical:       "identical",
	Normalised:      "same after normalisation",
	Transliteration: "transliteration of",
	Equivalent:      "equivalent form of",
	Diminutive:      "diminutive of",
	GenderForm:      "gender form of",
	Phonetic:        "phonetically close",
	Typo:            "typo distance",
}

func (r Reason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "unknown"
}

// Similarity is the outcome of comparing two names.
type Similarity struct {
	Score    float64 // in [0,1]
	Reason   Reason
	System   string // the transliteration system, when Reason == Transliteration
	Distance int    // edit distance of the phonetic codes, when Reason == Typo
}

// Explain gives the reason in words, with the system or distance:
// "transliteration of (KMU 2010 …)", "typo distance 2".
func (s Similarity) Explain() string {
	switch {
	case s.Reason == Transliteration && s.System != "":
		return s.Reason.String() + " (" + s.System + ")"
	case s.Reason == Typo:
		return s.Reason.String() + " " + strconv.Itoa(s.Distance)
	}
	return s.Reason.String()
}
