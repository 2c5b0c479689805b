// Validates rendered Kubernetes manifests offline, with no cluster: multi-document YAML on stdin (e.g. the output of
// `kubectl kustomize overlays/production`), or in each file named on the command line (problems then start with the
// file's name; one process for many files pays the type checker's start once):
//  1. schema: every object against its Kubernetes or KEDA JSON schema, as compiled by kubernetes-models and
//     @kubernetes-models/keda (types, required fields, enums);
//  2. unknown fields, which those schemas let through (they do not set additionalProperties: false): every field of
//     every object must be a property of its type in the packages' TypeScript declarations, walked with the
//     TypeScript compiler's type checker. String maps (labels, trigger metadata, resources) take any key.
// Prints one line per problem and a closing count per input; exits 1 when there is a problem. Used by
// tests/BenchMesh.Deploy.Tests, which also checks what no schema can (BenchMesh's own invariants).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);

// apiVersion -> the package folder of its models. Kinds outside these groups are refused: BenchMesh uses no others.
const groups = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};

const inputs = process.argv.length > 2
  ? process.argv.slice(2).map(file => ({ prefix: `${file}: `, text: readFileSync(file, "utf8") }))
  : [{ prefix: "", text: readFileSync(0, "utf8") }];
const nameOf = o => `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"}`;

async function schemaCheck(text, problems) {
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      problems.push(`YAML: ${doc.errors.map(e => e.message).join("; ")}`);
      continue;
    }
    const object = doc.toJS();
    if (object !== null && object !== undefined) objects.push(object);
  }

  const models = [];
  for (const object of objects) {
    const group = groups[object.apiVersion];
    if (!group || typeof object.kind !== "string") {
      problems.push(`${nameOf(object)}: no schema for apiVersion '${object.apiVersion}' kind '${object.kind}'`);
      continue;
    }
    let model;
    try {
      model = (await import(`${group}/${object.kind}`))[object.kind];
    } catch {
      problems.push(`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (e) {
      problems.push(`${nameOf(object)}: ${e.message}`);
    }
    models.push({ object, declarations: require.resolve(`${group}/${object.kind}`).replace(/\.js$/, ".d.ts") });
  }
  return { objects, models };
}

const checked = [];
for (const input of inputs) {
  const problems = [];
  checked.push({ ...input, problems, ...(await schemaCheck(input.text, problems)) });
}

// Unknown fields: one TypeScript program over the declarations of every kind used.
const program = ts.createProgram([...new Set(checked.flatMap(c => c.models.map(m => m.declarations)))], { noEmit: true, skipLibCheck: true });
const checker = program.getTypeChecker();

function interfaceOf(declarations, kind) {
  const source = program.getSourceFile(declarations);
  const declaration = source?.statements.find(s => ts.isInterfaceDeclaration(s) && s.name.text === `I${kind}`);
  return declaration ? checker.getTypeAtLocation(declaration.name) : undefined;
}

function walk(value, type, path, where, problems) {
  if (value === null || typeof value !== "object") return;
  type = checker.getNonNullableType(type);
  if (type.isUnion()) {
    // Optional properties are T | undefined (removed above); a real union of shapes is not walked.
    const shapes = type.types.filter(t => t.flags & ts.TypeFlags.Object);
    if (shapes.length !== 1) return;
    type = shapes[0];
  }
  if (Array.isArray(value)) {
    const element = checker.isArrayType(type) ? checker.getTypeArguments(type)[0] : undefined;
    if (element) value.forEach((item, i) => walk(item, element, `${path}/${i}`, where, problems));
    return;
  }
  const properties = checker.getPropertiesOfType(type);
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String)?.type;
  if (properties.length === 0 && !index) return; // any / object: nothing to compare with
  for (const [key, child] of Object.entries(value)) {
    const property = properties.find(p => p.name === key);
    if (property) {
      const propertyType = property.valueDeclaration
        ? checker.getTypeOfSymbolAtLocation(property, property.valueDeclaration)
        : checker.getTypeOfSymbol(property);
      walk(child, propertyType, `${path}/${key}`, where, problems);
    } else if (index) {
      walk(child, index, `${path}/${key}`, where, problems);
    } else {
      problems.push(`${where.name}: unknown field ${path}/${key}`);
    }
  }
}

let failed = false;
for (const { prefix, problems, objects, models } of checked) {
  for (const { object, declarations } of models) {
    const type = interfaceOf(declarations, object.kind);
    if (!type) {
      problems.push(`${nameOf(object)}: no type declaration for ${object.kind}`);
      continue;
    }
    walk(object, type, "", { name: nameOf(object) }, problems);
  }
  for (const problem of problems) console.log(`${prefix}${problem}`);
  console.log(`${prefix}${objects.length} objects, ${problems.length} problems`);
  failed ||= problems.length > 0;
}
process.exit(failed ? 1 : 0);
