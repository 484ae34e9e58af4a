// Package xlsxtest writes small .xlsx workbooks the way Excel lays them
// out (shared strings, styles, numbered rows, empty rows and cells left
// out), for tests of spreadsheet uploads.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Build returns a workbook whose first sheet holds rows: a string becomes
// a shared string, an int or float64 a number, a bool a boolean; a nil
// cell or "" is left out, and a row with no cells is left out (Excel still
// counts it). A second sheet, "Notes", shows only the first one is read.
func Build(rows [][]any) []byte {
	var strs []string
	index := map[string]int{}
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		var cells strings.Builder
		for c, v := range row {
			ref := column(c) + strconv.Itoa(r+1)
			switch v := v.(type) {
			case nil:
			case string:
				if v == "" {
					continue
				}
				i, ok := index[v]
				if !ok {
					i = len(strs)
					index[v] = i
					strs = append(strs, v)
				}
				fmt.Fprintf(&cells, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
			case int:
				fmt.Fprintf(&cells, `<c r="%s"><v>%d</v></c>`, ref, v)
			case float64:
				fmt.Fprintf(&cells, `<c r="%s"><v>%s</v></c>`, ref, strconv.FormatFloat(v, 'G', -1, 64))
			case bool:
				b := 0
				if v {
					b = 1
				}
				fmt.Fprintf(&cells, `<c r="%s" t="b"><v>%d</v></c>`, ref, b)
			default:
				panic(fmt.Sprintf("xlsxtest: cell of type %T", v))
			}
		}
		if cells.Len() > 0 {
			fmt.Fprintf(&sheet, `<row r="%d">%s</row>`, r+1, cells.String())
		}
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	var shared strings.Builder
	fmt.Fprintf(&shared, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(strs), len(strs))
	for _, s := range strs {
		shared.WriteString(`<si><t xml:space="preserve">`)
		_ = xml.EscapeText(&shared, []byte(s))
		shared.WriteString(`</t></si>`)
	}
	shared.WriteString(`</sst>`)
	return zipOf(map[string]string{
		"[Content_Types].xml":        contentTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            workbook,
		"xl/_rels/workbook.xml.rels": workbookRels,
		"xl/styles.xml":              styles,
		"xl/sharedStrings.xml":       shared.String(),
		"xl/worksheets/sheet1.xml":   sheet.String(),
		"xl/worksheets/sheet2.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not contacts</t></is></c></row></sheetData></worksheet>`,
	})
}

// column is the letter name of the 0-based column c ("A", "Z", "AA").
func column(c int) string {
	name := ""
	for c++; c > 0; c = (c - 1) / 26 {
		name = string(rune('A'+(c-1)%26)) + name
	}
	return name
}

func zipOf(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
		"xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write([]byte(files[name]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>`

const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets>
</workbook>`

const workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>`

const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>
</styleSheet>`
