// Package awserr is kinesin's one catalogue of wire errors: every AWS error
// code a service answers with, its HTTP status, and the helpers that build
// AWS's exact message texts (such as the "N validation errors detected"
// wording of ValidationException). Handlers never invent error strings of
// their own; they pick a Kind from this table so that clients can branch on
// the code.
package awserr
