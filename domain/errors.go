package domain

import (
	"errors"
	"time"
)

// Sentinel errors shared by every layer. Wrap them with %w and a prefix;
// handlers map them to statuses in one place.
var (
	ErrInvalid        = errors.New("invalid request")
	ErrNotFound       = errors.New("not found")
	ErrUnauthorized   = errors.New("unauthorized")
	ErrForbidden      = errors.New("forbidden")
	ErrRateLimited    = errors.New("rate limited")
	ErrNoKeys         = errors.New("no usable gemini key")
	ErrUpstream       = errors.New("upstream error")
	ErrTooLarge       = errors.New("request too large")
	ErrContextLength  = errors.New("context length exceeded")
	ErrUnavailable    = errors.New("service unavailable")
	ErrModelNotFound  = errors.New("model not found")
	ErrContentBlocked = errors.New("content blocked")
)

// FieldError is a client mistake in one request field. It matches
// ErrInvalid with errors.Is.
type FieldError struct {
	Param   string // JSON path of the offending field, e.g. "messages[2].content"
	Message string
}

func (e *FieldError) Error() string {
	if e.Param == "" {
		return e.Message
	}
	return e.Param + ": " + e.Message
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a FieldError.
func Invalid(param, message string) error { return &FieldError{Param: param, Message: message} }

// RetryAfterError says when trying again makes sense. Daily marks a wait
// until a daily quota resets, after which clients should stop retrying.
type RetryAfterError struct {
	Err        error
	RetryAfter time.Duration
	Daily      bool
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }
