package web

// catalogueInputUK translates the strings of the bounds on input: problems
// not listed in a report, and the refusals of files too large to read. It
// joins catalogueUK at start-up.
var catalogueInputUK = map[string]string{
	"%d more problems are not listed.":                                                    "Ще %d проблем не показано.",
	"%d more problems are not listed; the file of the rows left out has every one.":       "Ще %d проблем не показано; файл пропущених рядків містить їх усі.",
	"The workbook holds a text longer than a spreadsheet cell can be; it cannot be read.": "Книга містить текст, довший, ніж може бути клітинка таблиці; її неможливо прочитати.",
	"The sheet holds more text than one import may; split it into smaller files.":         "Аркуш містить більше тексту, ніж дозволено для одного імпорту; розділіть його на менші файли.",
}

func init() {
	for k, v := range catalogueInputUK {
		catalogueUK[k] = v
	}
}
