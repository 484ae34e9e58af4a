package csvimport

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchCSV builds an n-row export mixing phone formats, quoting and an
// extra column, the shape of a real list.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBFName,Business Name,Phone,Lead Source\r\n")
	formats := []string{"(415) %03d-%04d", "+1 212 %03d %04d", "303.%03d.%04d", "617%03d%04d", "+44 20 7%03d %04d"}
	for i := range n {
		ph := fmt.Sprintf(formats[i%len(formats)], 200+i%700, i%10000)
		fmt.Fprintf(&b, "Contact %d,\"Business %d, Inc\",%s,web\r\n", i, i, ph)
	}
	return b.Bytes()
}

// BenchmarkParse100k parses a 100,000-row file from memory.
func BenchmarkParse100k(b *testing.B) {
	const rows = 100_000
	data := benchCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var accepted int
	for b.Loop() {
		accepted = 0
		rd, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, skip, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil || skip != nil {
				b.Fatalf("row: %v %v", skip, err)
			}
			accepted++
		}
	}
	if accepted != rows {
		b.Fatalf("accepted %d rows, want %d", accepted, rows)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScan100k measures the CSV scanner alone on the same file, to
// separate its cost from phone normalization.
func BenchmarkScan100k(b *testing.B) {
	const rows = 100_000
	data := benchCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sc := scanner{br: bufio.NewReaderSize(bytes.NewReader(data), bufSize), comma: ','}
		for n := 0; ; n++ {
			if err := sc.read(); err == io.EOF {
				if n != rows+1 {
					b.Fatalf("read %d records, want %d", n, rows+1)
				}
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
