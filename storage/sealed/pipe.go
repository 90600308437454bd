package sealed

import (
	"io"
	"sync"
	"sync/atomic"
)

// pipeChunk is the ciphertext segment size of AES256_GCM_HKDF_1MB, header
// included in the first: chunks then hold exactly one segment each.
const pipeChunk = 1 << 20

// chunkPool recycles chunks between Writers: a fresh 1 MiB allocation is
// zeroed and often faulted in, which cost as much as sealing a small object.
var chunkPool = sync.Pool{New: func() any { return new([pipeChunk]byte) }}

// segmentPipe carries ciphertext from a Writer to the store's Put a chunk
// at a time, with one chunk queued. io.Pipe, used before, synchronised the
// two goroutines on every Read: the local store copies in 32 KiB reads, so
// each 1 MiB segment cost 32 goroutine handoffs, which took longer than
// encrypting it. The queue also lets the next segment be encrypted while
// the store writes this one. A Writer holds at most three chunks here.
//
// Write and closeWrite belong to the writing goroutine, Read and closeRead
// to the store's; like io.Pipe, either side's close ends the other's calls
// with its error.
type segmentPipe struct {
	queue    chan []byte   // filled chunks in order; closed by closeWrite
	readDone chan struct{} // closed by closeRead
	werr     error         // set before queue closes: io.EOF or the writer's failure
	rerr     error         // set before readDone closes
	eof      atomic.Bool   // the store has read to the end

	cur     []byte // writer side: the chunk being filled
	wclosed bool

	out   []byte // reader side: what is left of the chunk being read
	chunk []byte
}

func newSegmentPipe() *segmentPipe {
	return &segmentPipe{
		queue:    make(chan []byte, 1),
		readDone: make(chan struct{}),
	}
}

func (p *segmentPipe) Write(b []byte) (int, error) {
	if p.wclosed {
		return 0, io.ErrClosedPipe
	}
	n := len(b)
	for len(b) > 0 {
		if p.cur == nil {
			p.cur = chunkPool.Get().(*[pipeChunk]byte)[:0]
		}
		k := copy(p.cur[len(p.cur):cap(p.cur)], b)
		p.cur = p.cur[:len(p.cur)+k]
		b = b[k:]
		if len(p.cur) == cap(p.cur) {
			if err := p.send(); err != nil {
				return n - len(b), err
			}
		}
	}
	return n, nil
}

func (p *segmentPipe) send() error {
	// A store that has stopped reading must fail the writer even while the
	// queue has room.
	select {
	case <-p.readDone:
		return p.rerr
	default:
	}
	select {
	case p.queue <- p.cur:
		p.cur = nil
		return nil
	case <-p.readDone:
		return p.rerr
	}
}

// closeWrite ends the stream: the store reads what is left and then err,
// or io.EOF if err is nil.
func (p *segmentPipe) closeWrite(err error) {
	if p.wclosed {
		return
	}
	p.wclosed = true
	if err == nil && len(p.cur) > 0 {
		// On failure the store has stopped reading, and its Put says why.
		p.send()
	}
	if err == nil {
		err = io.EOF
	}
	p.werr = err
	close(p.queue)
}

func (p *segmentPipe) Read(b []byte) (int, error) {
	for len(p.out) == 0 {
		if p.chunk != nil {
			// The store has copied all of it out.
			chunkPool.Put((*[pipeChunk]byte)(p.chunk[:pipeChunk]))
			p.chunk = nil
		}
		c, ok := <-p.queue
		if !ok {
			if p.werr == io.EOF {
				p.eof.Store(true)
			}
			return 0, p.werr
		}
		p.out, p.chunk = c, c
	}
	n := copy(b, p.out)
	p.out = p.out[n:]
	return n, nil
}

// drained reports whether the store read the stream to its end.
func (p *segmentPipe) drained() bool { return p.eof.Load() }

// closeRead tells the writer that the store stopped reading, and why. It
// is called once, when the store's Put returns.
func (p *segmentPipe) closeRead(err error) {
	p.rerr = err
	close(p.readDone)
}
