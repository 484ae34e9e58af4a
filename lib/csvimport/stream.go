package csvimport

import (
	"slices"
	"sync"
)

// batchRows is how many records travel together between the goroutines
// of a Stream: enough to make the hand-offs rare, few enough that the
// batches in flight stay a few hundred KB whatever the file's size.
const batchRows = 512

// Stream is Next run ahead of its reader: one goroutine reads records in
// file order while workers turn them into contacts, which is most of an
// import's work (reading a phone number is about 15 µs, a record a
// tenth of that), and the results come out in file order. An import
// pulls from it while Postgres takes the rows before, so the parse
// overlaps the database's work instead of preceding it.
type Stream struct {
	order chan *batch
	stop  chan struct{}
	once  sync.Once
	cur   *batch
	i     int
}

// batch is records read in order, their contacts once done is closed,
// and the error that ended the reading after them (io.EOF at the end).
type batch struct {
	recs  []record
	rows  []Row
	skips []*Skip
	err   error
	done  chan struct{}
}

// Stream reads the rest of the file on workers goroutines (at least one)
// besides the reader. Close it when done, or read it to its error.
func (r *Reader) Stream(workers int) *Stream {
	s := &Stream{order: make(chan *batch, max(workers, 1)+1), stop: make(chan struct{})}
	work := make(chan *batch, max(workers, 1))
	go r.readBatches(s, work)
	for range max(workers, 1) {
		go func() {
			for b := range work {
				b.rows, b.skips = make([]Row, len(b.recs)), make([]*Skip, len(b.recs))
				for i := range b.recs {
					b.rows[i], b.skips[i] = r.convert(&b.recs[i])
				}
				close(b.done)
			}
		}()
	}
	return s
}

// readBatches reads records into batches, queueing each for its order
// and for a worker, until the file ends or the stream is closed.
func (r *Reader) readBatches(s *Stream, work chan<- *batch) {
	defer close(work)
	for {
		b := &batch{done: make(chan struct{})}
		for len(b.recs) < batchRows && b.err == nil {
			if r.pending {
				r.pending = false
			} else if b.err = r.nextRecord(); b.err != nil {
				break
			}
			rec := *r.src.current()
			rec.fields = slices.Clone(rec.fields) // the source reuses its slice
			b.recs = append(b.recs, rec)
		}
		select {
		case s.order <- b:
		case <-s.stop:
			return
		}
		select {
		case work <- b:
		case <-s.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Next is Reader.Next, from the stream.
func (s *Stream) Next() (Row, *Skip, error) {
	for s.cur == nil || s.i == len(s.cur.recs) {
		if s.cur != nil && s.cur.err != nil {
			return Row{}, nil, s.cur.err
		}
		s.cur, s.i = <-s.order, 0
		<-s.cur.done
	}
	i := s.i
	s.i++
	return s.cur.rows[i], s.cur.skips[i], nil
}

// Close ends the stream's goroutines; rows not yet taken are dropped.
func (s *Stream) Close() { s.once.Do(func() { close(s.stop) }) }

// convert is contact as Next reports it.
func (r *Reader) convert(rec *record) (Row, *Skip) {
	row, reason, kind := r.contact(rec)
	if reason != "" {
		return Row{}, &Skip{Row: rec.row, Reason: reason, Kind: kind}
	}
	return row, nil
}
