/** Lists a config schema's fields (path, type, default, description) from its zod definition. */
import { z } from "zod";

export interface FieldDoc {
  path: string;
  type: string;
  default?: unknown;
  description?: string;
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaNode[];
}

function typeName(node: JsonSchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (node.anyOf !== undefined) return node.anyOf.map(typeName).join(" | ");
  if (node.type === "array" && node.items !== undefined) return `${typeName(node.items)}[]`;
  return Array.isArray(node.type) ? node.type.join(" | ") : (node.type ?? "any");
}

export function describeSchema(schema: z.ZodType): FieldDoc[] {
  const root = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  const out: FieldDoc[] = [];
  const walk = (node: JsonSchemaNode, prefix: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      if (child.type === "object" && child.properties !== undefined) {
        if (child.description !== undefined) out.push({ path, type: "object", description: child.description });
        walk(child, path);
      } else {
        out.push({ path, type: typeName(child), ...(child.default === undefined ? {} : { default: child.default }), ...(child.description === undefined ? {} : { description: child.description }) });
        // a list of objects (sft.stages) lists its items' fields as path[].field
        if (child.type === "array" && child.items?.type === "object" && child.items.properties !== undefined) walk(child.items, `${path}[]`);
      }
    }
  };
  walk(root, "");
  return out;
}

export function formatFieldDocs(fields: FieldDoc[]): string {
  return fields
    .map((f) => `${f.path}: ${f.type}${f.default === undefined ? "" : ` = ${JSON.stringify(f.default)}`}${f.description === undefined ? "" : `\n    ${f.description}`}`)
    .join("\n");
}
