package parser

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a 1-based line and column (in characters) in the source text.
type Pos struct {
	Line, Col int
}

// Position returns p; nodes embed Pos so they all answer Position.
func (p Pos) Position() Pos { return p }

// Error is a syntax error at a position of the source.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// TokenKind classifies tokens.
type TokenKind int

// Token kinds.
const (
	TokEOF    TokenKind = iota
	TokIdent            // unquoted identifier or keyword; Text is upper-cased
	TokQIdent           // "quoted" identifier; Text is the name, case kept
	TokString           // 'string' literal; Text is the value, '' unescaped
	TokNumber           // numeric literal; Text as written
	TokOp               // operator or punctuation; Text is the symbol
)

// Token is one lexical token.
type Token struct {
	Kind TokenKind
	Text string
	Pos  Pos
	Raw  string // the source text of an unquoted identifier, for messages
}

// operators, longest first so that greedy matching works.
var operators = []string{"||", "<>", "!=", "<=", ">=", "=>", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", ";"}

// Lex splits src into tokens, ending with a TokEOF token. Comments (-- and
// // to end of line, /* */ blocks) and white space are skipped.
func Lex(src string) ([]Token, error) {
	l := lexer{src: src, line: 1, col: 1}
	var toks []Token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.Kind == TokEOF {
			return toks, nil
		}
	}
}

type lexer struct {
	src       string
	off       int
	line, col int
}

func (l *lexer) peekRune(ahead int) rune {
	off := l.off
	for i := 0; ; i++ {
		if off >= len(l.src) {
			return -1
		}
		r, n := utf8.DecodeRuneInString(l.src[off:])
		if i == ahead {
			return r
		}
		off += n
	}
}

func (l *lexer) advance() rune {
	r, n := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) errorf(p Pos, format string, args ...any) error {
	return &Error{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (l *lexer) next() (Token, error) {
	// Skip white space and comments.
	for l.off < len(l.src) {
		r := l.peekRune(0)
		switch {
		case unicode.IsSpace(r):
			l.advance()
		case r == '-' && l.peekRune(1) == '-', r == '/' && l.peekRune(1) == '/':
			for l.off < len(l.src) && l.peekRune(0) != '\n' {
				l.advance()
			}
		case r == '/' && l.peekRune(1) == '*':
			start := Pos{l.line, l.col}
			l.advance()
			l.advance()
			for {
				if l.off >= len(l.src) {
					return Token{}, l.errorf(start, "unterminated comment")
				}
				if l.peekRune(0) == '*' && l.peekRune(1) == '/' {
					l.advance()
					l.advance()
					break
				}
				l.advance()
			}
		default:
			goto token
		}
	}
token:
	p := Pos{l.line, l.col}
	if l.off >= len(l.src) {
		return Token{Kind: TokEOF, Pos: p}, nil
	}
	r := l.peekRune(0)
	switch {
	case r == utf8.RuneError:
		return Token{}, l.errorf(p, "invalid UTF-8 in source")
	case isIdentStart(r):
		start := l.off
		for l.off < len(l.src) && isIdentPart(l.peekRune(0)) {
			l.advance()
		}
		raw := l.src[start:l.off]
		return Token{Kind: TokIdent, Text: strings.ToUpper(raw), Pos: p, Raw: raw}, nil
	case r == '"':
		l.advance()
		var b strings.Builder
		for {
			if l.off >= len(l.src) {
				return Token{}, l.errorf(p, "unterminated quoted identifier")
			}
			c := l.advance()
			if c == '"' {
				if l.peekRune(0) == '"' {
					l.advance()
					b.WriteRune('"')
					continue
				}
				break
			}
			b.WriteRune(c)
		}
		if b.Len() == 0 {
			return Token{}, l.errorf(p, "empty quoted identifier")
		}
		return Token{Kind: TokQIdent, Text: b.String(), Pos: p}, nil
	case r == '\'':
		l.advance()
		var b strings.Builder
		for {
			if l.off >= len(l.src) {
				return Token{}, l.errorf(p, "unterminated string literal")
			}
			c := l.advance()
			if c == '\'' {
				if l.peekRune(0) == '\'' {
					l.advance()
					b.WriteRune('\'')
					continue
				}
				break
			}
			b.WriteRune(c)
		}
		return Token{Kind: TokString, Text: b.String(), Pos: p}, nil
	case isDigit(r) || (r == '.' && isDigit(l.peekRune(1))):
		start := l.off
		for isDigit(l.peekRune(0)) {
			l.advance()
		}
		if l.peekRune(0) == '.' && isDigit(l.peekRune(1)) || l.peekRune(0) == '.' && !isIdentStart(l.peekRune(1)) && l.off > start {
			l.advance()
			for isDigit(l.peekRune(0)) {
				l.advance()
			}
		}
		if c := l.peekRune(0); c == 'e' || c == 'E' {
			d := l.peekRune(1)
			if isDigit(d) || ((d == '+' || d == '-') && isDigit(l.peekRune(2))) {
				l.advance()
				l.advance()
				for isDigit(l.peekRune(0)) {
					l.advance()
				}
			}
		}
		if c := l.peekRune(0); isIdentStart(c) {
			return Token{}, l.errorf(Pos{l.line, l.col}, "unexpected %q after number", c)
		}
		return Token{Kind: TokNumber, Text: l.src[start:l.off], Pos: p}, nil
	}
	for _, op := range operators {
		if strings.HasPrefix(l.src[l.off:], op) {
			for range op {
				l.advance()
			}
			return Token{Kind: TokOp, Text: op, Pos: p}, nil
		}
	}
	return Token{}, l.errorf(p, "unexpected character %q", r)
}
