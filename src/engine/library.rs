//! Where rules come from, and the helper modules they may import.
//!
//! A rules directory holds one `<measure id>.rhai` per measure and a `lib/`
//! folder of helper modules (`lib/borgere.rhai`, `lib/indsatser.rhai` …).
//! A rule imports a helper by its bare name —
//! `import "borgere" as borgere;` — and nothing else: a path (`"../x"`,
//! `"/etc/passwd"`, `"lib/x"`) is refused, so the sandbox reads no file
//! outside the library. The standard rules and their library are built
//! into the binary ([`RulesSource::Standard`]); `--rules DIR` replaces the
//! rules, and its `lib/` adds helpers to the built-in ones (a helper of the
//! same name replaces the built-in one).

use super::RuleError;
use rhai::{AST, Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};
use std::borrow::Cow;
use std::path::PathBuf;

/// The standard rules, built in from `rules/` by `build.rs`: (file name,
/// source) for the rules and (module name, source) for `rules/lib/`.
mod standard {
    include!(concat!(env!("OUT_DIR"), "/standard_rules.rs"));
}

/// Where a workspace's rules and helper modules are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesSource {
    /// The rules built into kvalitet (a copy of the repository's `rules/`).
    Standard,
    /// A rules directory: `*.rhai` rules and `lib/*.rhai` helpers.
    Dir(PathBuf),
}

impl RulesSource {
    /// `rules` for the built-in rules, else the directory.
    pub fn label(&self) -> PathBuf {
        match self {
            Self::Standard => PathBuf::from("rules"),
            Self::Dir(dir) => dir.clone(),
        }
    }

    /// Every rule: (path naming it, source), sorted by file name.
    pub fn rule_files(&self) -> Result<Vec<(PathBuf, String)>, RuleError> {
        match self {
            Self::Standard => {
                Ok(standard::RULES.iter().map(|(name, text)| (self.label().join(name), text.to_string())).collect())
            }
            Self::Dir(dir) => {
                let unreadable =
                    |e: std::io::Error| RuleError::whole(dir, format!("cannot read the rules directory: {e}"));
                let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map_err(unreadable)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rhai"))
                    .collect();
                paths.sort();
                paths
                    .into_iter()
                    .map(|path| {
                        let text = std::fs::read_to_string(&path)
                            .map_err(|e| RuleError::whole(&path, format!("cannot read the rule file: {e}")))?;
                        Ok((path, text))
                    })
                    .collect()
            }
        }
    }

    /// The source of the rule with that measure id, if there is one.
    pub fn rule_file(&self, id: &str) -> Option<(PathBuf, String)> {
        let name = format!("{id}.rhai");
        match self {
            Self::Standard => standard::RULES
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(file, text)| (self.label().join(file), text.to_string())),
            Self::Dir(dir) => {
                let path = dir.join(&name);
                std::fs::read_to_string(&path).ok().map(|text| (path, text))
            }
        }
    }

    /// The helper modules' folder, for messages.
    pub fn library_label(&self) -> PathBuf {
        self.label().join("lib")
    }

    /// The helper module `name`: its path and source. A rules directory's
    /// own `lib/` comes first; the built-in helpers are there for every
    /// rules directory.
    fn helper(&self, name: &str) -> Option<(PathBuf, Cow<'static, str>)> {
        let own = match self {
            Self::Standard => None,
            Self::Dir(_) => {
                let path = self.library_label().join(format!("{name}.rhai"));
                std::fs::read_to_string(&path).ok().map(|text| (path, Cow::Owned(text)))
            }
        };
        own.or_else(|| {
            standard::LIBRARY
                .iter()
                .find(|(module, _)| *module == name)
                .map(|(_, text)| (Self::Standard.library_label().join(format!("{name}.rhai")), Cow::Borrowed(*text)))
        })
    }

    /// The names of the helper modules: the built-in ones and a rules
    /// directory's own, sorted.
    pub fn helpers(&self) -> Vec<String> {
        let mut names: Vec<String> = standard::LIBRARY.iter().map(|(name, _)| name.to_string()).collect();
        if let Self::Dir(_) = self {
            names.extend(
                std::fs::read_dir(self.library_label())
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
                    .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
                    .filter(|name| valid_name(name)),
            );
        }
        names.sort();
        names.dedup();
        names
    }
}

/// A helper module's name: lower-case letters, digits and `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Resolves `import "name"` to the helper module `lib/name.rhai` of a
/// rules source, and refuses everything else.
pub struct LibraryResolver {
    rules: RulesSource,
}

impl LibraryResolver {
    pub fn new(rules: RulesSource) -> Self {
        Self { rules }
    }

    fn compile(&self, engine: &Engine, name: &str, position: Position) -> Result<AST, Box<EvalAltResult>> {
        if !valid_name(name) {
            return Err(Box::new(EvalAltResult::ErrorRuntime(
                format!(
                    "import \"{name}\": rules import helper modules by name from {}, e.g. import \"borgere\" as borgere; \
                     paths are not allowed",
                    self.rules.library_label().display()
                )
                .into(),
                position,
            )));
        }
        let (path, text) = self
            .rules
            .helper(name)
            .ok_or_else(|| Box::new(EvalAltResult::ErrorModuleNotFound(name.to_string(), position)))?;
        let label = path.display().to_string();
        let mut ast = engine
            .compile(text.as_ref())
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(label.clone(), e.into(), position)))?;
        ast.set_source(label);
        Ok(ast)
    }
}

impl ModuleResolver for LibraryResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        position: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let ast = self.compile(engine, path, position)?;
        let label = ast.source().unwrap_or_default().to_string();
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(label, e, position)))?;
        Ok(module.into())
    }

    fn resolve_ast(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        position: Position,
    ) -> Option<Result<AST, Box<EvalAltResult>>> {
        Some(self.compile(engine, path, position))
    }
}

/// Every `import "name"` statement in `source`: the name and its place.
fn imports(source: &str) -> Vec<(&str, Position)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("import") {
            let after = rest[at + "import".len()..].trim_start();
            if let Some(quoted) = after.strip_prefix('"')
                && let Some(end) = quoted.find('"')
            {
                let column = code.len() - rest.len() + at;
                let position = Position::new(number as u16 + 1, line[..column].chars().count() as u16 + 1);
                found.push((&quoted[..end], position));
            }
            rest = &rest[at + "import".len()..];
        }
    }
    found
}

/// The place of the `import "name"` statement in `source` whose name
/// `message` mentions (for an error raised while resolving it).
pub fn import_position(source: &str, message: &str) -> Option<Position> {
    imports(source).into_iter().find_map(|(name, position)| {
        let mentioned =
            message.contains(&format!("\"{name}\"")) || message.contains(&format!("Module not found: {name}"));
        mentioned.then_some(position)
    })
}

impl RulesSource {
    /// The helper modules `source` imports, directly or through other
    /// helpers, by name and source text, sorted by name: what a rule's
    /// provenance hash covers besides its own text.
    pub fn imported_helpers(&self, source: &str) -> Vec<(String, String)> {
        let mut found: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let mut pending: Vec<String> = imports(source).into_iter().map(|(name, _)| name.to_string()).collect();
        while let Some(name) = pending.pop() {
            if found.contains_key(&name) {
                continue;
            }
            if let Some((_, text)) = self.helper(&name) {
                pending.extend(imports(&text).into_iter().map(|(n, _)| n.to_string()));
                found.insert(name, text.into_owned());
            }
        }
        found.into_iter().collect()
    }
}

/// Checks that every helper in the directory's `lib/` has a valid name: a
/// file that could never be imported is a mistake worth naming.
pub fn check_library(rules: &RulesSource) -> Vec<RuleError> {
    let RulesSource::Dir(_) = rules else { return Vec::new() };
    let lib = rules.library_label();
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .filter(|p| !p.file_stem().and_then(|s| s.to_str()).is_some_and(valid_name))
        .map(|p| {
            RuleError::whole(&p, "a helper module is named with lower-case letters, digits and _ (e.g. borgere.rhai)")
        })
        .collect()
}
