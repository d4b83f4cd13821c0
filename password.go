package homeward

import (
	_ "embed"
	"strings"
	"unicode"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ValidatePassword checks a new password: long enough, not a repetition, a
// sequence or a keyboard walk, not one of the most common passwords
// dressed up with digits or symbols, and not made of the user's own login
// or name (personal: the login and display name, where known). These rules
// follow NIST SP 800-63B §5.1.1.2, which asks for a check against
// commonly used, expected or compromised values instead of composition
// rules.
func ValidatePassword(p string, personal ...string) error {
	if len([]rune(p)) < MinPasswordLength {
		return FieldErrorf(EINVALID, "password", "Password must have at least %d characters.", MinPasswordLength)
	}
	lower := strings.ToLower(p)
	if predictable(lower) {
		return FieldErrorf(EINVALID, "password", "This password is too easy to guess: it repeats itself, follows a sequence or a row of the keyboard.")
	}
	if commonPasswords[lower] || commonPasswords[coreWord(lower)] {
		return FieldErrorf(EINVALID, "password", "This password is one of the most common ones; choose another.")
	}
	for _, s := range personal {
		for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len([]rune(part)) >= 3 && (strings.Contains(lower, part) || strings.Contains(coreWord(lower), part)) {
				return FieldErrorf(EINVALID, "password", "A password must not contain your login or name.")
			}
		}
	}
	return nil
}

// predictable reports whether p has fewer than four different characters,
// or nearly every step from one character to the next repeats it, moves to
// its neighbour in the alphabet or digits, or to its neighbour on a
// keyboard row or column (Latin QWERTY or Ukrainian ЙЦУКЕН).
func predictable(p string) bool {
	rs := []rune(p)
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return true
	}
	easy := 0
	for i := 1; i < len(rs); i++ {
		d := rs[i] - rs[i-1]
		if d == 0 || d == 1 || d == -1 || adjacentKeys(rs[i-1], rs[i]) {
			easy++
		}
	}
	return easy*5 >= (len(rs)-1)*4 // four steps in five
}

// keyboardLines are rows and columns of the QWERTY and ЙЦУКЕН layouts.
var keyboardLines = []string{
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"йцукенгшщзхї", "фівапролджє", "ячсмитьбю",
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/",
	"1йфя", "2цич", "3увс", "4кам", "5епи", "6нрт", "7гоь", "8шлб", "9щдю",
}

func adjacentKeys(a, b rune) bool {
	for _, line := range keyboardLines {
		rs := []rune(line)
		for i := 1; i < len(rs); i++ {
			if (rs[i-1] == a && rs[i] == b) || (rs[i-1] == b && rs[i] == a) {
				return true
			}
		}
	}
	return false
}

// coreWord undoes the usual dressing of a common word: digits and symbols
// after it and before it, and look-alike digits and symbols for letters
// ("P@ssw0rd2024!" → "password").
func coreWord(p string) string {
	p = strings.TrimRightFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	p = strings.TrimLeftFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && r != '@' && r != '$' })
	return strings.Map(func(r rune) rune {
		if i := strings.IndexRune(leetFrom, r); i >= 0 {
			return rune(leetTo[i])
		}
		return r
	}, p)
}

const leetFrom, leetTo = "01!34@5$7", "oiieaasst"

//go:embed common_passwords.txt
var commonPasswordsText string

//go:embed breached_passwords.txt
var breachedPasswordsText string

// commonPasswords holds the words of common_passwords.txt (Homeward's own,
// with the Ukrainian and Russian ones) and breached_passwords.txt (the
// most frequent in leaks), lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText+"\n"+breachedPasswordsText, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()
