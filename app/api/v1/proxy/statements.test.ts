// Statements per proxy call on PGlite (the budget and the batching: lib/testing/statement-budget.ts).
import { describeStatementBudget } from "@/lib/testing/statement-budget";

await describeStatementBudget("pglite");
