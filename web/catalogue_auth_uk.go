package web

// catalogueAuthUK translates the strings of accounts and sign-in: API
// tokens and their lifetimes, ended sessions, and the password rules. It
// joins catalogueUK at start-up.
var catalogueAuthUK = map[string]string{
	"A password must not contain your login or name.": "Пароль не повинен містити ваш логін чи ім’я.",
	"A token lives between 1 and 366 days.":           "Токен діє від 1 до 366 днів.",
	"A token name has at most 100 characters.":        "Назва токена має не більше 100 символів.",
	"Last used": "Востаннє використано",
	"Only administrators may manage tokens of other users.": "Лише адміністратори можуть керувати токенами інших користувачів.",
	"Revoke":                 "Відкликати",
	"The token was revoked.": "Токен відкликано.",
	"This password is one of the most common ones; choose another.":                                       "Цей пароль — один із найпоширеніших; оберіть інший.",
	"This password is too easy to guess: it repeats itself, follows a sequence or a row of the keyboard.": "Цей пароль надто легко вгадати: він повторюється, іде за порядком або рядом клавіатури.",
	"Unknown, expired or revoked API token.":                                                              "Невідомий, прострочений або відкликаний токен API.",
	"Valid for (days)":                                                                                    "Дійсний (днів)",
	"You have no API tokens.":                                                                             "У вас немає токенів API.",
	"Your password was changed. Every other session and all your API tokens have ended.":                  "Ваш пароль змінено. Усі інші сеанси та всі ваші токени API завершено.",
	"never": "ніколи",
	"Supervisors and administrators must sign in with a second factor":               "Супервізори й адміністратори мають входити з другим фактором",
	"Your organisation requires a second factor: turn it on on the My account page.": "Ваша організація вимагає другого фактора: увімкніть його на сторінці «Мій обліковий запис».",
	"Code from your authenticator app (if you use one)":                              "Код із застосунку автентифікації (якщо ви ним користуєтеся)",
	"Current code": "Поточний код",
	"Enter the current code from your authenticator app.": "Введіть поточний код із застосунку автентифікації.",
	"Off. Supervisors and administrators should turn it on: add this key to an authenticator app (or open the link on your phone), then enter the code it shows.": "Вимкнено. Супервізорам і адміністраторам варто його ввімкнути: додайте цей ключ до застосунку автентифікації (або відкрийте посилання на телефоні), а тоді введіть код, який він покаже.",
	"On: signing in asks for a code from your authenticator app.":                            "Увімкнено: під час входу потрібен код із застосунку автентифікації.",
	"Open in an authenticator app":                                                           "Відкрити в застосунку автентифікації",
	"Second factor":                                                                          "Другий фактор",
	"The second factor is off.":                                                              "Другий фактор вимкнено.",
	"The second factor is on: signing in now asks for a code.":                               "Другий фактор увімкнено: тепер під час входу потрібен код.",
	"Turn the second factor off":                                                             "Вимкнути другий фактор",
	"Turn the second factor on":                                                              "Увімкнути другий фактор",
	"Your password and a current code are needed to turn the second factor off.":             "Щоб вимкнути другий фактор, потрібні ваш пароль і поточний код.",
	"The code does not match: check the time on your phone and enter the current code.":      "Код не збігається: перевірте час на телефоні й введіть поточний код.",
	"Users turn on their own second factor.":                                                 "Користувачі вмикають другий фактор лише собі.",
	"Only administrators may turn off other users' second factor.":                           "Вимикати другий фактор іншим користувачам можуть лише адміністратори.",
	"Only administrators of the installation's first organisation may create organisations.": "Створювати організації можуть лише адміністратори першої організації цієї інсталяції.",
	"This name looks too much like that of an existing organisation.":                        "Ця назва надто схожа на назву наявної організації.",
}

func init() {
	for k, v := range catalogueAuthUK {
		catalogueUK[k] = v
	}
}
