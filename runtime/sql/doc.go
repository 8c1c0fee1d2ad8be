// Package sql runs Kinesis Data Analytics for SQL applications: in-application
// streams, pumps and windowed queries written in the dialect of AWS's
// "Amazon Kinesis Data Analytics SQL Reference", plus kinesin's extensions
// (Flink-style TUMBLE/HOP/SESSION window table functions).
//
// The front end lives in package parser, which turns application code into
// an AST; package eval compiles scalar expressions; package engine plans
// an application into incremental operators (windows from package window,
// aggregates from package agg, the log parsers, random cut forests and
// hotspots from packages logparse, rcf and hotspots) and runs it.
package sql
