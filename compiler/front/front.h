/* front.h: the front end: the AST built by grammar/dm.y (ast.c), parsing
 * (parse.c) and sema's entry point, AST -> models with forward graphs. */
#ifndef DMC_FRONT_H
#define DMC_FRONT_H

#include "support/support.h"
#include "ir/ir.h"

/* ---- ast.c: the abstract syntax tree built by grammar/dm.y --------------- */

typedef struct Expr Expr;
typedef struct Stmt Stmt;


typedef enum {
    EX_NUMBER,   /* num; is_int when written without '.', 'e' */
    EX_BOOL,     /* boolean */
    EX_NAME,     /* name */
    EX_ARRAY,    /* items: the elements (each a number, name, expr or nested array) */
    EX_NEG,      /* lhs */
    EX_BINARY,   /* binop is one of + - * / @ < > or an AST_ code below; lhs, rhs */
    EX_CALL,     /* name (callee), name_loc, args */
    EX_INDEX,    /* lhs[items]: each item an expression (an index), an EX_SLICE or an EX_ELLIPSIS */
    EX_SLICE,    /* start:stop:step, items = {start, stop, step}, each NULL when left out */
    EX_ELLIPSIS  /* ... inside an index */
} ExprKind;

typedef struct Arg {
    const char *key;      /* NULL for a positional argument */
    Loc key_loc;          /* the key; for a positional argument, the whole argument */
    Expr *value;
} Arg;

typedef struct ExprList { Expr **items; int n, cap; } ExprList;
typedef struct ArgList { Arg *items; int n, cap; } ArgList;

struct Expr {
    ExprKind kind;
    Loc loc;              /* the whole expression; for EX_BINARY the operator */
    double num;
    bool is_int;
    bool boolean;
    const char *name;
    Loc name_loc;
    char binop;           /* '+', '-', '*', '/', '@', '<', '>', AST_POW ... (ast_binop_text) */
    Expr *lhs, *rhs;
    ExprList items;       /* EX_ARRAY */
    ArgList args;         /* EX_CALL */
    int depth;            /* 1 for a leaf; never above PARSE_MAX_DEPTH */
};

/* f32[d0, d1] / i32 / f32[]: dims are expressions (constants, or in a layer's
 * signature, pattern names). */
typedef struct StmtList { Stmt **items; int n, cap; } StmtList;

typedef struct TypeExpr {
    DType dtype;
    ExprList dims;        /* n == 0 for a scalar */
    Loc loc;
} TypeExpr;

typedef enum {
    ST_CONST,      /* name = value */
    ST_INPUT,      /* name : type */
    ST_PARAM,      /* name : type [= value]  (value: an initialiser expression or NULL) */
    ST_BIND,       /* name = value */
    ST_OUTPUT,     /* output name [= value]  (value NULL: names an existing binding) */
    ST_LOSS,       /* loss value */
    ST_OPTIMIZER,  /* optimizer name(args) : value is an EX_CALL */
    ST_RETURN,     /* return value */
    ST_FOR,        /* for name in value { body }: value is the range (an expression, checked
                      by sema), shared for `range(...) shared` */
    ST_BUFFER,     /* buffer name : type [= value]  (as ST_PARAM: a persistent tensor not trained) */
    ST_UPDATE      /* update name = value  (the buffer's value after a training step) */
} StmtKind;

struct Stmt {
    StmtKind kind;
    Loc loc;              /* the statement's keyword (or the name for ST_BIND) */
    const char *name;
    Loc name_loc;
    TypeExpr *type;
    Expr *value;
    StmtList body;        /* ST_FOR */
    bool shared;          /* ST_FOR: every iteration uses the same layer instances */
    int depth;            /* ST_FOR: 1 + the deepest loop in body; never above PARSE_MAX_DEPTH */
};

/* A layer's formal parameter: `x : f32[N, I]`, `units`, `bias = true`. */
typedef struct Formal {
    const char *name;
    Loc loc;
    TypeExpr *type;       /* a shape pattern, or NULL */
    Expr *def;            /* default value, or NULL */
} Formal;

typedef struct FormalList { Formal *items; int n, cap; } FormalList;

typedef enum { DECL_MODEL, DECL_LAYER, DECL_CONST } DeclKind;

typedef struct Decl {
    DeclKind kind;
    const char *name;
    Loc loc;              /* the name */
    FormalList formals;   /* DECL_LAYER */
    StmtList body;        /* DECL_MODEL, DECL_LAYER */
    Expr *value;          /* DECL_CONST */
} Decl;

typedef struct Program {
    Decl **items; int n, cap;
} Program;

/* Limits (docs/reliability.md): past them the parser reports an error instead of
 * recursing, so no later phase can recurse deeper than PARSE_MAX_DEPTH. */
#define PARSE_MAX_DEPTH 256          /* ( [ nesting, expression tree depth, loops in loops */
#define PARSE_MAX_TOKEN 256          /* bytes of an identifier or a number */
#define PARSE_MAX_FILE (16 << 20)    /* bytes of a source file */

/* The state of one parse, shared by the scanner (grammar/dm.l, as yyextra),
 * the parser (grammar/dm.y, %parse-param) and the builders below. */
typedef struct ParseCtx {
    Arena *arena;
    Diag *diag;
    const SourceFile *file;
    Program *prog;
    void *scanner;            /* the flex scanner (yyscan_t) */
    /* scanner state */
    int line, col;            /* position of the next byte */
    size_t offset;
    int nesting;              /* open ( and [ : newlines inside them are spaces */
    int open_line[PARSE_MAX_DEPTH + 1]; /* where each open bracket is */
    int open_col[PARSE_MAX_DEPTH + 1];
    char open_char[PARSE_MAX_DEPTH + 1];
    bool draining;            /* after a too-deep nesting: skip to the statement's end */
    bool line_has_token;      /* a token was returned since the last line end */
    bool first_on_line;       /* the last token began its line */
    int last_token;           /* kind of the last token returned (0 before the first) */
    size_t token_offset, token_len; /* its text, for "found 'foo'" */
    bool depth_reported;      /* "nested too deeply" was reported in this statement */
    int continued_line;       /* a line that ended with an operator (error reported), or 0 */
    Expr *poison;             /* what builders return after that (one node, shared) */
} ParseCtx;

/* Builders called from the grammar's actions (one line each there). */
Expr *ast_number(ParseCtx *p, Loc loc, const char *text);
Expr *ast_bool(ParseCtx *p, Loc loc, bool value);
Expr *ast_name(ParseCtx *p, Loc loc, const char *name);
Expr *ast_array(ParseCtx *p, Loc loc, ExprList items);
Expr *ast_neg(ParseCtx *p, Loc loc, Expr *x);
/* EX_BINARY's binop for the operators of two characters. */
enum { AST_POW = '^', AST_LE = 'l', AST_GE = 'g', AST_EQ = 'e', AST_NE = 'n' };
const char *ast_binop_text(char op);   /* "+", "**", "<=" ... */
Expr *ast_binary(ParseCtx *p, Loc loc, char op, Expr *l, Expr *r);
/* `a < b < c`: reported at the second operator; returns the first comparison. */
Expr *ast_chained_comparison(ParseCtx *p, Loc second, Expr *first);
Expr *ast_call(ParseCtx *p, Loc loc, const char *callee, ArgList args);
Expr *ast_index(ParseCtx *p, Loc bracket, Expr *x, ExprList subscripts);
Expr *ast_slice(ParseCtx *p, Loc colon, Expr *start, Expr *stop, Expr *step);   /* any NULL */
Expr *ast_ellipsis(ParseCtx *p, Loc loc);
Expr *ast_negs(ParseCtx *p, Loc first_minus, int count, Expr *x);  /* count unary minuses */
ExprList ast_exprs_add(ParseCtx *p, ExprList list, Expr *e);
Arg ast_arg(ParseCtx *p, Loc key_loc, const char *key, Expr *value); /* key NULL: positional */
ArgList ast_args_add(ParseCtx *p, ArgList list, Arg arg);  /* reports positional after keyword */
TypeExpr *ast_type(ParseCtx *p, Loc loc, DType dtype, ExprList dims);
Stmt *ast_stmt(ParseCtx *p, StmtKind kind, Loc loc, const char *name, Loc name_loc,
               TypeExpr *type, Expr *value);
StmtList ast_stmts_add(ParseCtx *p, StmtList list, Stmt *s);
/* `for name in range [word] { body }`: word is NULL or must be `shared`. */
Stmt *ast_for(ParseCtx *p, Loc loc, const char *name, Loc name_loc, Expr *range, const char *word, Loc word_loc,
              StmtList body);
Formal ast_formal(ParseCtx *p, Loc loc, const char *name, TypeExpr *type, Expr *def);
FormalList ast_formals_add(ParseCtx *p, FormalList list, Formal f);
Decl *ast_model(ParseCtx *p, Loc loc, const char *name, StmtList body);
Decl *ast_layer(ParseCtx *p, Loc loc, const char *name, FormalList formals, StmtList body);
Decl *ast_const_decl(ParseCtx *p, Loc loc, const char *name, Expr *value);
void ast_program_add(ParseCtx *p, Decl *d);
void ast_dump(FILE *out, const Program *prog);   /* --emit=ast, for parser tests */

/* Parse one source file (appending to prog).  Returns false after syntax
 * errors (all reported through d).  parse.c wraps the flex/bison pair. */
bool parse_file(Arena *a, Diag *d, const SourceFile *file, Program *prog);
/* Read a whole file into the arena; NULL and errno set on failure. */
SourceFile *source_read(Arena *a, const char *path);
SourceFile *source_from_string(Arena *a, const char *name, const char *text);

/* ---- sema.c (and sema_*.c): AST -> models with forward graphs ------------ */

typedef struct Define { const char *name; const char *value; bool used; } Define;
typedef struct Defines { Define *items; int n, cap; } Defines;

/* Check the program and build one Model per model declaration (only `only`
 * if non-NULL).  Returns false after errors (reported through d). */
bool sema_program(Arena *a, Diag *d, const Program *prog, const Defines *defs,
                  const char *only, Models *out);
/* Every built-in function's name into names (room for SEMA_MAX_BUILTINS),
 * the elementwise ones (ops.def) first; returns the count.  dmc
 * --list-builtins prints them, and the tests check the docs, the fuzz
 * dictionary and the conformance suite against that list. */
enum { SEMA_MAX_BUILTINS = 128 };
int sema_builtin_names(const char **names);
/* The standard layers (Dense, Conv2d) written in dm, parsed before the user's file. */
extern const char *prelude_source;

#endif
