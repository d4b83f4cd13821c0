package tabular

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// cp1251High maps bytes 0x80–0xBF of Windows-1251 to Unicode; 0xC0–0xFF are
// the contiguous range А..я (U+0410–U+044F). Source: the Unicode
// Consortium's mapping table CP1251.TXT. Excel in Ukrainian and Russian
// locales saves "CSV" in this code page, so such files are common.
var cp1251High = [64]rune{
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
	0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
}

// decodeCP1251 converts Windows-1251 bytes to UTF-8.
func decodeCP1251(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xC0:
			sb.WriteRune(cp1251High[c-0x80])
		default:
			sb.WriteRune(rune(c) - 0xC0 + 0x0410)
		}
	}
	return sb.String()
}

// decodeText returns the text of a CSV file as UTF-8: UTF-8 with or without a
// byte-order mark, UTF-16 with a byte-order mark (Excel's "Unicode text"), and
// otherwise Windows-1251 when the bytes are not valid UTF-8. UTF-8 is
// returned as it is, not copied: a file may be 128 MB.
func decodeText(b []byte) []byte {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		b = b[3:]
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return []byte(decodeUTF16(b[2:], false))
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return []byte(decodeUTF16(b[2:], true))
	}
	if utf8.Valid(b) {
		return b
	}
	return []byte(decodeCP1251(b))
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return string(utf16.Decode(u))
}
