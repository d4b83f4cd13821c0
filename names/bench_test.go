package names

import "testing"

var benchNames = []string{
	"Олександр", "Aleksandr", "Шевченко", "Schewtschenko", "Ковальська", "Kovalskyi",
	"Наталія", "Natalya", "Саша", "Білий", "Belyy", "Олександр Білий", "Ганна", "Анна",
	"Микола", "Nikolai", "Коваленко", "Бондаренко", "Ткаченко", "Kravchenko",
}

func BenchmarkCompare(b *testing.B) {
	prepared := make([]*Name, len(benchNames))
	for i, s := range benchNames {
		prepared[i] = Prepare(s)
	}
	n := len(prepared)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		CompareNames(prepared[i%n], prepared[(i*7+3)%n])
	}
}

func BenchmarkCompareStrings(b *testing.B) {
	n := len(benchNames)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Compare(benchNames[i%n], benchNames[(i*7+3)%n])
	}
}

func BenchmarkKeys(b *testing.B) {
	n := len(benchNames)
	dst := make([]uint64, 0, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = AppendKeys(dst[:0], benchNames[i%n])
	}
}

func BenchmarkPrepare(b *testing.B) {
	n := len(benchNames)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Prepare(benchNames[i%n])
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for i := 0; i < b.N; i++ {
		JaroWinkler("Олександр", "Александр")
	}
}
