// Package httpapi adapts HTTP to the domain packages: it parses bounded
// request bodies, authorizes, calls one lib function and writes JSON or the
// error envelope of API.md. Domain errors become status codes here and
// nowhere else. The functions under api/ only hand requests to it.
package httpapi
