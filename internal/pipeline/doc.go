// Package pipeline reads kinesin's pipeline file, the YAML document that
// declares a deployment's resources, and applies it through the public AWS
// APIs so that applying twice changes nothing the second time.
//
// Each top-level section and each of its fields is declared once, in
// spec.go (name, type, default, doc, validation). Parse validates against
// those declarations and reports every problem with its file, line and YAML
// path; Markdown renders the reference docs/pipeline.md from them. Sections
// that later work will fill in (video streams) are declared already, so
// a file using them fails with "not supported yet" rather than "unknown".
//
// Parsing works on yaml.Node rather than decoding into structs: only the
// node tree keeps the line of every value and lets validation continue past
// the first problem.
package pipeline

//go:generate go test -run ^TestDoc$ -update
