package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/autolynx/autolynx/lib/problem"
)

// MaxUpload is Vercel's request body limit (4.5 MB); the local runner
// enforces the same so a chunk that works locally works deployed.
const MaxUpload = 4_500_000

// limitedBody fails with a TooLarge problem once more than limit bytes
// are read; msg says what to do about it (a route's BodyLimit, which the
// route's adapter applies to every request body).
type limitedBody struct {
	r     io.ReadCloser
	limit BodyLimit
	read  int64
}

func (l *limitedBody) Close() error { return l.r.Close() }

func (l *limitedBody) Read(p []byte) (int, error) {
	left := l.limit.Bytes - l.read
	if left < 0 {
		return 0, tooLarge(l.limit)
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.limit.Bytes {
		return n, tooLarge(l.limit)
	}
	return n, err
}

func tooLarge(l BodyLimit) error {
	return problem.New(problem.TooLarge, l.Message, "limitBytes", l.Bytes)
}

// Upload is a CSV (or .xlsx) sent as multipart (with form fields) or as a raw body.
type Upload struct {
	Fields map[string]string
	File   io.Reader
}

const maxField = 64 << 10

// xlsxMediaType is an .xlsx workbook's media type.
const xlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ReadUpload reads the request's form fields and file. With stream set
// (no fields matter: appending a chunk) the file is handed over unread and
// parsed as it arrives; otherwise it is buffered (the route bounds the
// body), so fields sent after it are still read. With allowRaw a raw CSV or
// .xlsx body is the file (the reader tells them apart by content).
func ReadUpload(r *http.Request, allowRaw, stream bool) (*Upload, error) {
	body := r.Body
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err == nil && mt == "multipart/form-data" && params["boundary"] != "":
	case allowRaw && err == nil && (mt == "text/csv" || mt == "text/plain" || mt == "application/csv" || mt == xlsxMediaType):
		return &Upload{Fields: map[string]string{}, File: body}, nil
	default:
		return nil, problem.New(problem.UnsupportedMediaType, "send multipart/form-data with a file field (or a text/csv or .xlsx body)")
	}
	mr := multipart.NewReader(body, params["boundary"])
	up := &Upload{Fields: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, BodyError(err)
		}
		if part.FormName() == "file" {
			if up.File != nil {
				return nil, problem.New(problem.Invalid, "send one file per request", "field", "file")
			}
			up.File = part
			if stream {
				return up, nil
			}
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(part); err != nil {
				return nil, BodyError(err)
			}
			up.File = &buf
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxField+1))
		if err != nil {
			return nil, BodyError(err)
		}
		if len(v) > maxField {
			return nil, problem.Newf(problem.Invalid, "field %s is too long", part.FormName())
		}
		up.Fields[part.FormName()] = string(v)
	}
	if up.File == nil {
		return nil, problem.New(problem.Invalid, "file is required: attach the CSV as the file field", "field", "file")
	}
	return up, nil
}

// BodyError is a failed read of a request body: the route's limit (413)
// as it is, anything else the client's malformed body.
func BodyError(err error) error {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe
	}
	return problem.Wrap(problem.Invalid, err, "malformed request body")
}
