/* dm.y: the grammar of dm (docs: /work/shared/design/docs/language.md).
 *
 * Needs: the scanner of dm.l (tokens, NEWLINE only outside ( ) and [ ]) and a
 * ParseCtx.  Guarantees: every action is one call to an ast_* builder (the
 * meaning of what is parsed lives in sema), every syntax error is reported as
 * "expected X, found Y" at the offending token, and the parser recovers at the
 * end of the statement (and around a declaration's header), so one run
 * reports every independent syntax error.  Builds with bison -Wall -Werror:
 * no conflicts. */

%define api.pure full
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {ParseCtx *p}

%code requires {
#include "front/front.h"
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code provides {
/* parse.c: a bison location as a Loc of p's file. */
Loc parse_loc(const ParseCtx *p, YYLTYPE l);
/* dm.l */
int yylex(YYSTYPE *yylval_param, YYLTYPE *yylloc_param, yyscan_t yyscanner);
}

%code {
#include <ctype.h>
#include <string.h>
#define L(x) parse_loc(p, x)
static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *p, const char *msg);
}

%union {
    const char *text;
    Expr *expr;
    ExprList exprs;
    Arg arg;
    ArgList args;
    TypeExpr *type;
    DType dtype;
    Stmt *stmt;
    StmtList stmts;
    Formal formal;
    FormalList formals;
    Decl *decl;
    int count;
    char binop;
}

%token MODEL "'model'" LAYER "'layer'" CONST "'const'" INPUT "'input'" PARAM "'param'"
%token OUTPUT "'output'" LOSS "'loss'" OPTIMIZER "'optimizer'" RETURN "'return'"
%token BUFFER "'buffer'" UPDATE "'update'"
%token FOR "'for'" IN "'in'"
%token KW_TRUE "'true'" KW_FALSE "'false'" F32 "'f32'" I32 "'i32'"
%token <text> IDENT "name" NUMBER "number"
%token POW "'**'" LE "'<='" GE "'>='" EQ "'=='" NE "'!='"
%token NEWLINE "newline"
%token ELLIPSIS "'...'"

%type <expr> expr arith compare term unary power primary call init postfix subscript bound
%type <binop> cmpop
%type <exprs> items dims subscripts
%type <arg> arg
%type <args> args arglist
%type <type> type
%type <dtype> dtype
%type <stmt> stmt
%type <stmts> stmts block
%type <formal> formal
%type <formals> formals formallist
%type <decl> decl
%type <count> negs

%%

program
    : %empty
    | program NEWLINE
    | program decl                      { ast_program_add(p, $2); }
    | program error NEWLINE             { yyerrok; }
    | program error block               { yyerrok; }   /* `modle m {`: skip the body whole */
    ;

decl
    : MODEL IDENT nls block             { $$ = ast_model(p, L(@2), $2, $4); }
    | MODEL error block                 { $$ = ast_model(p, L(@1), NULL, $3); }
    | LAYER IDENT '(' formallist ')' nls block { $$ = ast_layer(p, L(@2), $2, $4, $7); }
    | LAYER error block                 { $$ = ast_layer(p, L(@1), NULL, (FormalList){0}, $3); }
    | CONST IDENT '=' expr NEWLINE      { $$ = ast_const_decl(p, L(@2), $2, $4); }
    ;

nls
    : %empty
    | nls NEWLINE
    ;

formallist
    : %empty                            { $$ = (FormalList){0}; }
    | formals
    | formals ','
    ;

formals
    : formal                            { $$ = ast_formals_add(p, (FormalList){0}, $1); }
    | formals ',' formal                { $$ = ast_formals_add(p, $1, $3); }
    ;

formal
    : IDENT                             { $$ = ast_formal(p, L(@1), $1, NULL, NULL); }
    | IDENT ':' type                    { $$ = ast_formal(p, L(@1), $1, $3, NULL); }
    | IDENT '=' expr                    { $$ = ast_formal(p, L(@1), $1, NULL, $3); }
    | IDENT ':' type '=' expr           { $$ = ast_formal(p, L(@1), $1, $3, $5); }
    ;

/* A body: statements, one per line; the last may share the '}' line. */
block
    : '{' stmts '}'                     { $$ = $2; }
    | '{' stmts stmt '}'                { $$ = ast_stmts_add(p, $2, $3); }
    | '{' stmts error '}'               { $$ = $2; }
    ;

stmts
    : %empty                            { $$ = (StmtList){0}; }
    | stmts NEWLINE
    | stmts stmt NEWLINE                { $$ = ast_stmts_add(p, $1, $2); }
    | stmts error NEWLINE               { $$ = $1; yyerrok; }
    | stmts error block NEWLINE         { $$ = $1; yyerrok; }   /* `for t range(3) {`: skip the body whole */
    ;

stmt
    : CONST IDENT '=' expr              { $$ = ast_stmt(p, ST_CONST, L(@1), $2, L(@2), NULL, $4); }
    | INPUT IDENT ':' type              { $$ = ast_stmt(p, ST_INPUT, L(@1), $2, L(@2), $4, NULL); }
    | PARAM IDENT ':' type init         { $$ = ast_stmt(p, ST_PARAM, L(@1), $2, L(@2), $4, $5); }
    | BUFFER IDENT ':' type init        { $$ = ast_stmt(p, ST_BUFFER, L(@1), $2, L(@2), $4, $5); }
    | UPDATE IDENT '=' expr             { $$ = ast_stmt(p, ST_UPDATE, L(@1), $2, L(@2), NULL, $4); }
    | IDENT '=' expr                    { $$ = ast_stmt(p, ST_BIND, L(@1), $1, L(@1), NULL, $3); }
    | OUTPUT IDENT                      { $$ = ast_stmt(p, ST_OUTPUT, L(@1), $2, L(@2), NULL, NULL); }
    | OUTPUT IDENT '=' expr             { $$ = ast_stmt(p, ST_OUTPUT, L(@1), $2, L(@2), NULL, $4); }
    | LOSS expr                         { $$ = ast_stmt(p, ST_LOSS, L(@1), NULL, L(@1), NULL, $2); }
    | OPTIMIZER call                    { $$ = ast_stmt(p, ST_OPTIMIZER, L(@1), NULL, L(@1), NULL, $2); }
    | OPTIMIZER IDENT                   { $$ = ast_stmt(p, ST_OPTIMIZER, L(@1), NULL, L(@1), NULL, ast_call(p, L(@2), $2, (ArgList){0})); }
    | RETURN expr                       { $$ = ast_stmt(p, ST_RETURN, L(@1), NULL, L(@1), NULL, $2); }
    /* a static loop; the optional name after the range is the word `shared` (not a keyword) */
    | FOR IDENT IN expr block           { $$ = ast_for(p, L(@1), $2, L(@2), $4, NULL, L(@4), $5); }
    | FOR IDENT IN expr IDENT block     { $$ = ast_for(p, L(@1), $2, L(@2), $4, $5, L(@5), $6); }
    ;

init
    : %empty                            { $$ = NULL; }
    | '=' expr                          { $$ = $2; }
    ;

type
    : dtype                             { $$ = ast_type(p, L(@1), $1, (ExprList){0}); }
    | dtype '[' ']'                     { $$ = ast_type(p, L(@$), $1, (ExprList){0}); }
    | dtype '[' dims ']'                { $$ = ast_type(p, L(@$), $1, $3); }
    ;

dtype
    : F32                               { $$ = DT_F32; }
    | I32                               { $$ = DT_I32; }
    ;

/* A layer's argument pattern may begin with '...': any leading dimensions. */
dims
    : expr                              { $$ = ast_exprs_add(p, (ExprList){0}, $1); }
    | ELLIPSIS                          { $$ = ast_exprs_add(p, (ExprList){0}, ast_ellipsis(p, L(@1))); }
    | dims ',' expr                     { $$ = ast_exprs_add(p, $1, $3); }
    ;

/* Precedence, high to low (Python's): call and indexing, '**' (right
 * associative, and above unary minus on its left: -x ** 2 is -(x ** 2)),
 * unary minus, @ * /, + -, then the comparisons, which do not chain
 * (a < b < c is an error). */
expr
    : arith
    | compare
    ;

compare
    : arith cmpop arith                 { $$ = ast_binary(p, L(@2), $2, $1, $3); }
    | compare cmpop arith               { $$ = ast_chained_comparison(p, L(@2), $1); }
    ;

cmpop
    : '<'                               { $$ = '<'; }
    | '>'                               { $$ = '>'; }
    | LE                                { $$ = AST_LE; }
    | GE                                { $$ = AST_GE; }
    | EQ                                { $$ = AST_EQ; }
    | NE                                { $$ = AST_NE; }
    ;

arith
    : term
    | arith '+' term                    { $$ = ast_binary(p, L(@2), '+', $1, $3); }
    | arith '-' term                    { $$ = ast_binary(p, L(@2), '-', $1, $3); }
    ;

term
    : unary
    | term '@' unary                    { $$ = ast_binary(p, L(@2), '@', $1, $3); }
    | term '*' unary                    { $$ = ast_binary(p, L(@2), '*', $1, $3); }
    | term '/' unary                    { $$ = ast_binary(p, L(@2), '/', $1, $3); }
    ;

/* A run of minuses is counted, not nested, so the parser's stack stays flat
 * however many there are (the builder reports a run too deep). */
unary
    : power
    | negs power                        { $$ = ast_negs(p, L(@1), $1, $2); }
    ;

/* The exponent may have its own minus: x ** -1. */
power
    : postfix
    | postfix POW unary                 { $$ = ast_binary(p, L(@2), AST_POW, $1, $3); }
    ;

/* Indexing binds tighter than unary minus: -x[0] is -(x[0]).  No rule puts
 * two expressions side by side, so a '[' after a complete primary can only
 * index it (an array literal starts where an expression does). */
postfix
    : primary
    | postfix '[' subscripts ']'        { $$ = ast_index(p, L(@2), $1, $3); }
    | postfix '[' subscripts ',' ']'    { $$ = ast_index(p, L(@2), $1, $3); }
    ;

subscripts
    : subscript                         { $$ = ast_exprs_add(p, (ExprList){0}, $1); }
    | subscripts ',' subscript          { $$ = ast_exprs_add(p, $1, $3); }
    ;

/* x[i], x[a:b], x[a:b:c] (each bound optional), x[...] */
subscript
    : expr
    | ELLIPSIS                          { $$ = ast_ellipsis(p, L(@1)); }
    | bound ':' bound                   { $$ = ast_slice(p, L(@2), $1, $3, NULL); }
    | bound ':' bound ':' bound         { $$ = ast_slice(p, L(@2), $1, $3, $5); }
    ;

bound
    : %empty                            { $$ = NULL; }
    | expr
    ;

negs
    : '-'                               { $$ = 1; }
    | negs '-'                          { $$ = $1 + 1; }
    ;

primary
    : NUMBER                            { $$ = ast_number(p, L(@1), $1); }
    | KW_TRUE                           { $$ = ast_bool(p, L(@1), true); }
    | KW_FALSE                          { $$ = ast_bool(p, L(@1), false); }
    | IDENT                             { $$ = ast_name(p, L(@1), $1); }
    | call
    | F32 '(' arglist ')'               { $$ = ast_call(p, L(@$), "f32", $3); }   /* the casts */
    | I32 '(' arglist ')'               { $$ = ast_call(p, L(@$), "i32", $3); }
    | '(' expr ')'                      { $$ = $2; }
    | '[' items ']'                     { $$ = ast_array(p, L(@$), $2); }
    | '[' items ',' ']'                 { $$ = ast_array(p, L(@$), $2); }
    ;

items
    : expr                              { $$ = ast_exprs_add(p, (ExprList){0}, $1); }
    | items ',' expr                    { $$ = ast_exprs_add(p, $1, $3); }
    ;

call
    : IDENT '(' arglist ')'             { $$ = ast_call(p, L(@$), $1, $3); }
    ;

arglist
    : %empty                            { $$ = (ArgList){0}; }
    | args
    | args ','
    ;

args
    : arg                               { $$ = ast_args_add(p, (ArgList){0}, $1); }
    | args ',' arg                      { $$ = ast_args_add(p, $1, $3); }
    ;

arg
    : expr                              { $$ = ast_arg(p, L(@1), NULL, $1); }
    | IDENT '=' expr                    { $$ = ast_arg(p, L(@1), $1, $3); }
    ;

%%

/* ---- syntax errors: "expected X, found Y" ------------------------------- */

static bool is_one_of(const char *name, const char *const *set) {
    for (; *set; set++)
        if (strcmp(name, *set) == 0) return true;
    return false;
}

static bool expects(const yysymbol_kind_t *exp, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(yysymbol_name(exp[i]), name) == 0) return true;
    return false;
}

/* What to call the found token: its text for names and numbers. */
static const char *found_text(ParseCtx *p, yysymbol_kind_t found) {
    switch (found) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_NEWLINE: return "newline";
    case YYSYMBOL_IDENT:
    case YYSYMBOL_NUMBER:
        return arena_printf(p->arena, "%s '%.*s'", found == YYSYMBOL_IDENT ? "name" : "number",
                            (int)(p->token_len < PARSE_MAX_TOKEN ? p->token_len : PARSE_MAX_TOKEN),
                            p->file->text + p->token_offset);
    default: return yysymbol_name(found);
    }
}

/* The expected set, summarised: the tokens that start an expression become
 * "an expression", the statement keywords "a statement", the declaration
 * keywords "a declaration"; the binary operators (which could always
 * continue an expression) are left out when something else is expected. */
static const char *expected_text(ParseCtx *p, const yysymbol_kind_t *exp, int n) {
    static const char *const expr_start[] = {"number", "name", "'true'", "'false'", "'('", "'['", "'-'", "'f32'",
                                             "'i32'", NULL};
    static const char *const stmt_start[] = {"'const'", "'input'", "'param'", "'output'", "'loss'",
                                             "'optimizer'", "'return'", "'for'", "'buffer'", "'update'", "name",
                                             "newline", NULL};
    static const char *const decl_start[] = {"'model'", "'layer'", "'const'", "newline", NULL};
    static const char *const operators[] = {"'+'", "'-'", "'*'", "'/'", "'@'", "'('", "'**'", "'<'", "'>'",
                                            "'<='", "'>='", "'=='", "'!='", "'['", NULL};
    bool has_expr = expects(exp, n, "number") && expects(exp, n, "'['");
    bool has_stmt = expects(exp, n, "'input'");
    bool has_decl = expects(exp, n, "'model'");
    bool has_ops = expects(exp, n, "'*'");
    bool has_list_end = expects(exp, n, "')'") && expects(exp, n, "','");
    int others = 0;   /* expected tokens that are not operators */
    for (int i = 0; i < n; i++) others += !is_one_of(yysymbol_name(exp[i]), operators);
    const char *phrase[YYNTOKENS + 3];
    int k = 0;
    if (has_decl) phrase[k++] = "a declaration ('model', 'layer' or 'const')";
    if (has_stmt) phrase[k++] = "a statement";
    if (has_expr) phrase[k++] = "an expression";
    for (int i = 0; i < n; i++) {
        const char *name = yysymbol_name(exp[i]);
        if ((has_decl && is_one_of(name, decl_start)) || (has_stmt && is_one_of(name, stmt_start)) ||
            (has_expr && is_one_of(name, expr_start)))
            continue;
        if (has_ops && is_one_of(name, operators) && others > 0) continue;
        /* Inside a call, "key =" is the unusual continuation of a name. */
        if (has_list_end && (strcmp(name, "'='") == 0 || strcmp(name, "':'") == 0)) continue;
        if (has_decl && strcmp(name, "end of file") == 0) continue;
        if (strcmp(name, "'f32'") == 0) name = "a type ('f32' or 'i32')";
        else if (strcmp(name, "'i32'") == 0) continue;
        else if (strcmp(name, "number") == 0) name = "a number";
        else if (strcmp(name, "name") == 0) name = "a name";
        phrase[k++] = name;
    }
    if (k == 0) return "something else";
    const char *text = phrase[0];
    for (int i = 1; i < k; i++)
        text = arena_printf(p->arena, "%s%s%s", text, i + 1 < k ? ", " : " or ", phrase[i]);
    return text;
}

/* After a syntax error at a token that begins a line below an unclosed
 * bracket, the bracket was most likely never closed: say where it is and
 * forget it, so that newlines end statements again and recovery does not
 * swallow the rest of the file. */
static void resync_nesting(ParseCtx *p, YYLTYPE where) {
    int open = p->nesting - 1;
    if (open < 0 || open >= PARSE_MAX_DEPTH || !p->first_on_line || where.first_line <= p->open_line[open])
        return;
    diag_note(p->diag, (Loc){p->file, p->open_line[open], p->open_col[open], 1}, "the '%c' here is not closed",
              p->open_char[open]);
    p->nesting = 0;
}

/* A misspelt keyword reads as a name: `imput x : f32[4]` is a name followed
 * by something other than '=' (a statement), `modle m {` a name where a
 * declaration was expected.  When the line up to the found token is one
 * name close to a keyword (or the found token is that name), say so at the
 * name instead of "expected '='".  Works on the source text only. */
static bool misspelt_keyword(ParseCtx *p, YYLTYPE where, yysymbol_kind_t found, bool statement) {
    static const char *const statements[] = {"const", "input", "param", "output", "loss", "optimizer", "return", "for"};
    static const char *const declarations[] = {"model", "layer", "const"};
    Loc at = L(where);
    const char *line = p->file->text, *text_end = p->file->text + p->file->size;
    for (int l = 1; l < at.line; l++) {
        line = memchr(line, '\n', (size_t)(text_end - line));
        if (!line) return false;
        line++;
    }
    if (at.col < 1 || (size_t)(text_end - line) < (size_t)at.col) return false;
    const char *s = line, *end = line + at.col - 1, *word, *after;
    if (statement) {   /* the name is before the found token, alone on its line */
        while (s < end && (*s == ' ' || *s == '\t')) s++;
        word = s;
        while (s < end && (isalnum((unsigned char)*s) || *s == '_')) s++;
        after = s;
        while (s < end && (*s == ' ' || *s == '\t')) s++;
        if (after == word || after == end || s != end) return false;
    } else {           /* the found token is the name */
        if (found != YYSYMBOL_IDENT) return false;
        word = end;
        after = word + p->token_len;
    }
    char *name = arena_strndup(p->arena, word, (size_t)(after - word));
    const char *near = statement ? diag_suggest(name, statements, 8) : diag_suggest(name, declarations, 3);
    if (!near) return false;
    diag_error(p->diag, (Loc){p->file, at.line, (int)(word - line) + 1, (int)(after - word)},
               "unknown %s '%s'; did you mean '%s'?", statement ? "statement" : "declaration", name, near);
    return true;
}

static int
yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, ParseCtx *p) {
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
    yysymbol_kind_t found = yypcontext_token(ctx);
    YYLTYPE where = *yypcontext_location(ctx);
    /* The line after `y = x +` (already reported) was meant as its continuation. */
    if (p->continued_line && where.first_line == p->continued_line + 1) {
        const char *t = p->file->text + p->token_offset;
        while (t > p->file->text && (t[-1] == ' ' || t[-1] == '\t')) t--;
        if (t == p->file->text || t[-1] == '\n') {   /* the found token begins its line */
            p->continued_line = 0;
            return 0;
        }
    }
    p->continued_line = 0;
    if (n > 0 && ((expects(expected, n, "'='") && found != YYSYMBOL_NEWLINE && misspelt_keyword(p, where, found, true)) ||
                  (expects(expected, n, "'model'") && misspelt_keyword(p, where, found, false)))) {
        resync_nesting(p, where);
        return 0;
    }
    diag_error(p->diag, L(where), "expected %s, found %s", expected_text(p, expected, n < 0 ? 0 : n),
               found_text(p, found));
    /* `axis = (0, 1)`, `reshape(x, (3, 2))`: Python's tuple, where dm has a list */
    if (n > 0 && strcmp(yysymbol_name(found), "','") == 0 && expects(expected, n, "')'") && !expects(expected, n, "','"))
        diag_note(p->diag, L(where), "parentheses only group an expression; a list is written in brackets: [0, 1]");
    /* `y = x +` then `1` on the next line: say why the line ended */
    if (found == YYSYMBOL_NEWLINE && n > 0 && expects(expected, n, "number") && p->token_offset > 0) {
        const char *t = p->file->text + p->token_offset;
        while (t > p->file->text && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r')) t--;
        bool comparison = t - p->file->text >= 2 && t[-1] == '=' && strchr("=<>!", t[-2]);
        if (t > p->file->text && (strchr("+-*/@<>", t[-1]) || comparison)) {
            diag_note(p->diag, L(where), "a statement continues onto the next line only inside ( ) or [ ]");
            p->continued_line = where.first_line;
        }
    }
    resync_nesting(p, where);
    return 0;
}

/* Only bison's own failures come here ("memory exhausted"). */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *p, const char *msg) {
    diag_error(p->diag, L(*loc), "%s", msg);
}
