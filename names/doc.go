// Package names knows how the names of Ukrainian and Russian children are
// written, so that one child can be found under every spelling: «Олександр
// Білий» in a mother's report, «Александр Белый» in a counterpart's list,
// «Aleksandr Belyy» on a Russian document, «Oleksandr Bilyi» on a Ukrainian
// passport, «Alexander Bily» in an e-mail, or «Саша».
//
// It normalises names (Normalize), tells their script and language
// (DetectScript), writes them in Latin letters by the systems of passports,
// standards and foreign usage (Systems, Transliterate), reads Latin names
// back into Cyrillic (Reverse), and compares names with a score and a
// reason: transliteration (by which system), Ukrainian↔Russian equivalent,
// diminutive, gender form, phonetic closeness, typo (Compare,
// CompareNames). Keys gives blocking keys that all spellings of one name
// share; SearchKeys and QueryKeys give the keys of a blind index, so that a
// name can be found by any spelling or prefix without being stored in clear.
// Prepare a Name once when comparing it with many.
//
// Underneath is a phonetic code (phonetic.go) in which the differences
// between Ukrainian and Russian spelling and between the transliteration
// systems vanish; equivalence classes of given names (data/given.tsv,
// hand-curated, with diminutives) and of Russian forms of names
// (data/ua2ru.tsv, from names-translator) are keyed by that code.
//
// It is a library for strangers too: it must never log, store or send a
// name anywhere, read files or the environment at run time, or depend on
// the rest of Homeward. Its only global state is the embedded tables, built
// once and read-only after, and a bounded memo of prepared names that
// changes no result. All functions are safe for concurrent use.
package names
