package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3Config says where an S3 store lives. NewS3 validates it and names the
// first bad field.
type S3Config struct {
	// Endpoint is host[:port], without scheme or path.
	Endpoint string
	// AccessKey and SecretKey are the static credentials; both required.
	AccessKey string
	SecretKey string
	// Bucket is created if missing.
	Bucket string
	// Region is used when creating the bucket and signing requests; empty
	// lets the server decide.
	Region string
	// TLS selects https.
	TLS bool
	// Prefix, if set, is prepended to every key, so several stores can
	// share a bucket. It is empty or canonical segments each followed by
	// "/", like a List prefix.
	Prefix string
	// PartSize is the size of each part of a multipart upload and the
	// largest object sent in a single request (default 16 MiB, at least
	// 5 MiB, the S3 minimum, and at most 5 GiB). One part-sized buffer is
	// held per Put in progress.
	PartSize uint64
}

const (
	// DefaultS3PartSize is the PartSize used when the config leaves it zero.
	DefaultS3PartSize = 16 << 20
	minS3PartSize     = 5 << 20
	maxS3PartSize     = 5 << 30
	maxS3Parts        = 10000
	// s3ProbeTimeout bounds the reachability check in NewS3 when the
	// caller's context has no deadline of its own.
	s3ProbeTimeout = 15 * time.Second
	// s3AbortTimeout bounds cleaning up a failed multipart upload, which
	// runs even when the caller's context is already cancelled.
	s3AbortTimeout = 30 * time.Second
)

// s3Metadata is all the metadata an object carries: a format version and
// nothing that could describe its contents.
var s3Metadata = map[string]string{"Mf-Format": "1"}

// S3 is a BlobStore on an S3 bucket (MinIO, AWS S3 or a compatible service).
//
// Create-only puts send If-None-Match: * on the single PUT, or on both the
// initiation and the completion of a multipart upload; the server decides
// atomically at completion, so concurrent create-only puts of one key leave
// exactly one winner. MinIO and AWS S3 honour the header; a server that
// silently ignored it would turn create-only puts into overwrites, which is
// why every backend must pass the storagetest suite (its concurrent
// create-only tests catch exactly that) before it is used.
//
// Conditional puts (IfMatch) send If-Match with the expected ETag the same
// way, on the single PUT or on both ends of a multipart upload. MinIO checks
// it under its per-object lock when the PUT or the completion commits, so
// it holds for streamed multipart uploads too, and a key with no object
// fails it (404, reported as ErrPrecondition). AWS S3 documents If-Match on
// PutObject and CompleteMultipartUpload as well (not tested here); other
// S3-compatible servers may ignore it and overwrite, which the suite's
// IfMatch tests catch.
type S3 struct {
	core   *minio.Core
	cfg    S3Config
	bufs   sync.Pool
	prefix string
	// locking: whether the bucket has object locking, asked once.
	locking objectLocking
}

// NewS3 connects to the bucket, creating it if it does not exist. It fails
// if the endpoint cannot be reached or rejects the credentials.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	return newS3(ctx, cfg, nil)
}

// newS3 is NewS3 over the given transport, so that the stores of a
// per-tenant router share one connection pool to the endpoint; nil gives
// the client a transport of its own.
func newS3(ctx context.Context, cfg S3Config, transport http.RoundTripper) (*S3, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultS3PartSize
	}
	core, err := minio.NewCore(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.TLS,
		Region:    cfg.Region,
		Transport: transport,
		// WithRetry is the one place that retries; retries inside the
		// client would multiply with it and hide failures from it.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	s := &S3{core: core, cfg: cfg, prefix: cfg.Prefix}
	s.bufs.New = func() any {
		b := make([]byte, cfg.PartSize)
		return &b
	}

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s3ProbeTimeout)
		defer cancel()
	}
	exists, err := core.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot reach the endpoint or it refused the credentials: %w", s, err)
	}
	if !exists {
		err := core.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if err != nil {
			// Another process may have created it since we looked.
			code := minio.ToErrorResponse(err).Code
			if code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
				return nil, fmt.Errorf("%s: create bucket: %w", s, err)
			}
		}
	}
	return s, nil
}

func (c S3Config) validate() error {
	bad := func(field, why string) error {
		return fmt.Errorf("s3 config: %s %s", field, why)
	}
	switch {
	case c.Endpoint == "":
		return bad("Endpoint", "is empty")
	case strings.Contains(c.Endpoint, "://") || strings.ContainsAny(c.Endpoint, "/?#@ "):
		return bad("Endpoint", "must be host[:port], without scheme, path or user")
	case c.AccessKey == "":
		return bad("AccessKey", "is empty")
	case c.SecretKey == "":
		return bad("SecretKey", "is empty")
	case c.Bucket == "":
		return bad("Bucket", "is empty")
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return bad("Bucket", "is not a valid bucket name: "+err.Error())
	}
	if err := ValidatePrefix(c.Prefix); err != nil {
		return fmt.Errorf("s3 config: Prefix: %w", err)
	}
	if c.PartSize != 0 && c.PartSize < minS3PartSize {
		return bad("PartSize", fmt.Sprintf("is %d bytes, less than the S3 minimum of %d", c.PartSize, minS3PartSize))
	}
	if c.PartSize > maxS3PartSize {
		return bad("PartSize", fmt.Sprintf("is %d bytes, more than the S3 maximum of %d", c.PartSize, maxS3PartSize))
	}
	return nil
}

// String describes the store for logs and startup messages.
func (s *S3) String() string {
	d := "s3 bucket " + s.cfg.Bucket + " at " + s.cfg.Endpoint
	if s.prefix != "" {
		d += " under " + s.prefix
	}
	return d
}

func (s *S3) putOptions(opts PutOptions) minio.PutObjectOptions {
	po := minio.PutObjectOptions{
		UserMetadata: s3Metadata,
		ContentType:  "application/octet-stream",
		// The SHA-256 computed in Put is signed as the payload hash, which
		// the server verifies; the default chunked signing would hash
		// everything a second time.
		DisableContentSha256: true,
	}
	if opts.CreateOnly {
		po.SetMatchETagExcept("*")
	}
	if opts.IfMatch != "" {
		po.SetMatchETag(opts.IfMatch)
	}
	return po
}

// Put sends an object that fits in one part as a single PUT and anything
// larger as a multipart upload, one part-sized buffer at a time, so memory
// stays bounded whatever the object's size. The upload is done here rather
// than by minio.Client.PutObject because that one drops If-None-Match from
// the request completing a multipart upload, where the server actually
// decides whether the key is free.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := opts.validate(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := *bp
	// Stop draining the source as soon as the caller gives up, rather than
	// at the next request.
	r = ctxReader{ctx, r}

	n, err := io.ReadFull(r, buf)
	switch err {
	case nil:
		err = s.putMultipart(ctx, s.prefix+key, buf, n, r, opts)
	case io.EOF, io.ErrUnexpectedEOF:
		data := buf[:n]
		sum := sha256.Sum256(data)
		body := newPooledBody(data)
		_, err = s.core.PutObject(ctx, s.cfg.Bucket, s.prefix+key, body, int64(n),
			"", hex.EncodeToString(sum[:]), s.putOptions(opts))
		body.release()
		err = s.mapPutErr(err, opts)
	default:
		err = fmt.Errorf("read: %w", err)
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// putMultipart uploads buf[:n], already read, and then the rest of r. Any
// failure aborts the upload so no orphaned parts stay billed.
func (s *S3) putMultipart(ctx context.Context, name string, buf []byte, n int, r io.Reader, opts PutOptions) (err error) {
	po := s.putOptions(opts)
	// The initiation also carries the condition, so a create-only put of an
	// existing key or a conditional put of a stale version fails before any
	// part is sent; the completion re-checks atomically.
	uploadID, err := s.core.NewMultipartUpload(ctx, s.cfg.Bucket, name, po)
	if err != nil {
		return s.mapPutErr(err, opts)
	}
	defer func() {
		if err == nil {
			return
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s3AbortTimeout)
		defer cancel()
		s.core.AbortMultipartUpload(actx, s.cfg.Bucket, name, uploadID)
	}()

	var parts []minio.CompletePart
	for num := 1; ; num++ {
		if num > maxS3Parts {
			return fmt.Errorf("object exceeds %d parts of %d bytes", maxS3Parts, len(buf))
		}
		sum := sha256.Sum256(buf[:n])
		body := newPooledBody(buf[:n])
		part, err := s.core.PutObjectPart(ctx, s.cfg.Bucket, name, uploadID, num,
			body, int64(n), minio.PutObjectPartOptions{Sha256Hex: hex.EncodeToString(sum[:]), DisableContentSha256: true})
		body.release()
		if err != nil {
			return fmt.Errorf("part %d: %w", num, s.mapErr(err))
		}
		parts = append(parts, minio.CompletePart{PartNumber: part.PartNumber, ETag: part.ETag})

		var rerr error
		n, rerr = io.ReadFull(r, buf)
		if rerr == io.EOF {
			break
		}
		if rerr != nil && rerr != io.ErrUnexpectedEOF {
			return fmt.Errorf("read: %w", rerr)
		}
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.cfg.Bucket, name, uploadID, parts, po); err != nil {
		return s.mapPutErr(err, opts)
	}
	return nil
}

// pooledBody is a request body over a pooled buffer. net/http may still be
// reading a body after the response arrived (a server answering 412 before
// the upload ends); release cuts such late reads off before the buffer is
// refilled with the next part or handed to another Put.
type pooledBody struct {
	mu sync.Mutex
	r  *bytes.Reader
}

var errBodyReleased = errors.New("request body released")

func newPooledBody(b []byte) *pooledBody { return &pooledBody{r: bytes.NewReader(b)} }

func (p *pooledBody) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r == nil {
		return 0, errBodyReleased
	}
	return p.r.Read(b)
}

func (p *pooledBody) release() {
	p.mu.Lock()
	p.r = nil
	p.mu.Unlock()
}

// Get asks for the object at once, so a missing key is reported here and
// not by the first Read.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	rc, _, _, err := s.core.GetObject(ctx, s.cfg.Bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, s.mapErr(err))
	}
	return rc, nil
}

// Stat describes the object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	oi, err := s.core.StatObject(ctx, s.cfg.Bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, s.mapErr(err))
	}
	return Info{Key: key, Size: oi.Size, Modified: oi.LastModified, ETag: oi.ETag}, nil
}

// List relies on S3 listing keys in byte order.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := ValidatePrefix(prefix); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	// Cancelling stops the listing goroutine when fn bails out early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for oi := range s.core.Client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{
		Prefix:    s.prefix + prefix,
		Recursive: true,
	}) {
		if oi.Err != nil {
			return fmt.Errorf("list %s: %w", prefix, s.mapErr(oi.Err))
		}
		key, ok := strings.CutPrefix(oi.Key, s.prefix)
		// Objects not written through a store (non-canonical names) are
		// never reported, so callers only ever see keys they could build.
		if !ok || ValidateKey(key) != nil {
			continue
		}
		if err := fn(Info{Key: key, Size: oi.Size, Modified: oi.LastModified, ETag: oi.ETag}); err != nil {
			return err
		}
	}
	// A cancelled context can close the channel without an error item.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	return nil
}

// Delete checks the object exists first, because S3 reports success for
// deleting a missing key. A concurrent Delete can slip between the two
// calls; both then report success, which is harmless.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	name := s.prefix + key
	if _, err := s.core.StatObject(ctx, s.cfg.Bucket, name, minio.StatObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", key, s.mapErr(err))
	}
	if err := s.core.RemoveObject(ctx, s.cfg.Bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", key, s.mapErr(err))
	}
	return nil
}

// mapPutErr is mapErr for a Put, whose 412 means what its condition was:
// the key exists (CreateOnly) or the object is no longer the expected
// version (IfMatch). A conditional put of a missing key gets 404, which is
// a failed precondition too, not a missing object to report to the caller.
func (s *S3) mapPutErr(err error, opts PutOptions) error {
	err = s.mapErr(err)
	if opts.IfMatch == "" {
		return err
	}
	switch {
	case errors.Is(err, ErrExists):
		return fmt.Errorf("object replaced since read: %w", ErrPrecondition)
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("no object to replace: %w", ErrPrecondition)
	}
	return err
}

// mapErr turns S3 error responses into the package's errors, and marks
// those a retry cannot fix as permanent so WithRetry gives up at once.
func (s *S3) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey":
		return ErrNotFound
	case resp.Code == "PreconditionFailed" || resp.StatusCode == http.StatusPreconditionFailed:
		return ErrExists
	case resp.Code == "ConditionalRequestConflict":
		// AWS: a concurrent conditional write is in flight; trying again
		// gets a definite answer.
		return err
	case resp.Code == "InvalidArgument" || resp.Code == "InvalidBucketName" || resp.Code == "XMinioInvalidObjectName":
		return permanentError{err}
	case resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests:
		return permanentError{err}
	}
	return err
}
