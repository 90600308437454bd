package storage

import (
	"fmt"
	"strconv"

	"github.com/matterfile/matterfile/ids"
)

// The audit log's part of the layout (see layout.go):
//
//	tenants/<t>/audit/<seq>                      audit record seq, sealed; seq zero-padded to 20 digits
//	tenants/<t>/audit-checkpoints/<seq>          signed checkpoint of the log at seq, sealed
//	tenants/<t>/audit-key                        the log's checkpoint signing key, sealed
//	registry/checkpoints/<t>/<seq>               the same checkpoint, plain: outside the tenant so it survives shredding
//	registry/checkpoints/<t>/key                 the verifier (public) key of those checkpoints, plain
//
// Sequence numbers are padded so that a listing, which is in lexical order,
// is in numeric order too; 20 digits hold every uint64.

// AuditSeqDigits is the width of a sequence number in an audit key.
const AuditSeqDigits = 20

// checkpointsRegistryPrefix is outside every tenant's space, so that
// destroying a tenant leaves the proof of its log's last state behind.
const checkpointsRegistryPrefix = "registry/checkpoints/"

// auditSeqName is the key segment of sequence seq.
func auditSeqName(seq uint64) (string, error) {
	if seq == 0 {
		return "", fmt.Errorf("audit sequence 0: %w", ids.ErrInvalid)
	}
	return fmt.Sprintf("%0*d", AuditSeqDigits, seq), nil
}

// ParseAuditSeq reads the sequence number from the last segment of an
// audit record or checkpoint key. Only the exact padded form is accepted,
// so no two keys name the same sequence.
func ParseAuditSeq(name string) (uint64, bool) {
	if len(name) != AuditSeqDigits {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, false
		}
	}
	seq, err := strconv.ParseUint(name, 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// AuditPrefix lists tenant t's audit records.
func AuditPrefix(t string) (string, error) { return tenantKey(t, "audit/") }

// AuditKey holds record seq (from 1) of tenant t's audit log.
func AuditKey(t string, seq uint64) (string, error) {
	name, err := auditSeqName(seq)
	if err != nil {
		return "", err
	}
	return tenantKey(t, "audit", name)
}

// AuditSigningKey holds the key tenant t's audit checkpoints are signed
// with.
func AuditSigningKey(t string) (string, error) { return tenantKey(t, "audit-key") }

// AuditCheckpointsPrefix lists the checkpoints kept in tenant t's space.
func AuditCheckpointsPrefix(t string) (string, error) { return tenantKey(t, "audit-checkpoints/") }

// AuditCheckpointKey holds the checkpoint of tenant t's log at seq, in the
// tenant's space.
func AuditCheckpointKey(t string, seq uint64) (string, error) {
	name, err := auditSeqName(seq)
	if err != nil {
		return "", err
	}
	return tenantKey(t, "audit-checkpoints", name)
}

// CheckpointsRegistryPrefix lists the copies of tenant t's checkpoints kept
// outside its space, with their verifier key.
func CheckpointsRegistryPrefix(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return checkpointsRegistryPrefix + t + "/", nil
}

// CheckpointRegistryKey holds the copy of the checkpoint of tenant t's log
// at seq kept outside the tenant's space.
func CheckpointRegistryKey(t string, seq uint64) (string, error) {
	name, err := auditSeqName(seq)
	if err != nil {
		return "", err
	}
	p, err := CheckpointsRegistryPrefix(t)
	if err != nil {
		return "", err
	}
	return p + name, nil
}

// CheckpointVerifierKey holds the public key that verifies tenant t's
// checkpoints.
func CheckpointVerifierKey(t string) (string, error) {
	p, err := CheckpointsRegistryPrefix(t)
	if err != nil {
		return "", err
	}
	return p + "key", nil
}
