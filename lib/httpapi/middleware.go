package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
)

type loggerKey struct{}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Wrap gives every request an id, a logger carrying it, panic recovery and
// one structured access-log line (route, status, duration; never the query
// string, which may hold a search term).
func Wrap(log *slog.Logger, route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-Id", id)
		reqLog := log.With("requestId", id, "route", route)
		r = r.WithContext(context.WithValue(r.Context(), loggerKey{}, reqLog))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				reqLog.Error("panic", "panic", p)
				if rec.status == 0 {
					WriteError(rec, r, errPanic)
				}
			}
			reqLog.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"durationMs", time.Since(start).Milliseconds())
		}()
		h.ServeHTTP(rec, r)
	})
}

var errPanic = panicError{}

type panicError struct{}

func (panicError) Error() string { return "handler panicked" }
