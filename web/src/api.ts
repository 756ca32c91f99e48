// The HTTP API client. Every request goes to this page's own origin with the API key from the
// session; nothing else is ever fetched.

export interface Session {
  key: string;
  role: string; // "project" | "admin"
  project: string; // the project the pages show
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | string[] | number | undefined | null>;

const KEY = "yardstick.key";
const PROJECT = "yardstick.project";

let session: Session | null = null;
let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function currentSession(): Session | null {
  return session;
}

export function storedKey(): { key: string; project: string } | null {
  const key = sessionStorage.getItem(KEY);
  return key ? { key, project: sessionStorage.getItem(PROJECT) ?? "" } : null;
}

export function saveSession(s: Session): void {
  session = s;
  sessionStorage.setItem(KEY, s.key);
  sessionStorage.setItem(PROJECT, s.project);
}

export function clearSession(): void {
  session = null;
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PROJECT);
}

export function url(path: string, params?: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  key?: string; // overrides the session's key (sign-in)
  project?: string;
  signal?: AbortSignal;
}

async function request(path: string, params: Params | undefined, o: RequestOptions): Promise<Response> {
  const key = o.key ?? session?.key ?? "";
  const headers: Record<string, string> = { Authorization: `Bearer ${key}`, Accept: "application/json" };
  const project = o.project ?? session?.project;
  if (project && (o.project !== undefined || session?.role === "admin")) {
    headers["X-Yardstick-Project"] = project;
  }
  return fetch(url(path, params), { headers, signal: o.signal });
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = "http_" + res.status;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

// GET a JSON document; throws ApiError for any non-2xx answer.
export async function get<T>(path: string, params?: Params, o: RequestOptions = {}): Promise<T> {
  const res = await request(path, params, o);
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && o.key === undefined) onUnauthorized();
    throw err;
  }
  return (await res.json()) as T;
}

// POST or DELETE with a JSON body; resolves to the answer's JSON (null for 204), throws ApiError
// for any non-2xx answer.
export async function send<T>(method: "POST" | "DELETE", path: string, body?: unknown, o: RequestOptions = {}): Promise<T | null> {
  const key = o.key ?? session?.key ?? "";
  const headers: Record<string, string> = { Authorization: `Bearer ${key}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session?.project && session.role === "admin") headers["X-Yardstick-Project"] = session.project;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: o.signal });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) onUnauthorized();
    throw err;
  }
  const text = await res.text();
  return text ? (JSON.parse(text) as T) : null;
}

// GET a JSON document of an optional capability: null when the server answers 404 (the
// capability does not exist in this server), the document on 200.
export async function probe<T>(path: string, params?: Params, o: RequestOptions = {}): Promise<T | null> {
  const res = await request(path, params, o);
  if (res.status === 404) return null;
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

// --- Shapes of the answers (docs/api.md) --------------------------------------------------------

export interface WhoAmI {
  project: string | null;
  role: string;
  version: string;
}

export interface KpiInfo {
  name: string;
  description: string;
  unit: string;
  better: string;
  source: string;
  has_ci: boolean;
  params: string[];
  user_defined: boolean;
}

export interface Ci {
  low: number;
  high: number;
  level: number;
  method: string;
}

export interface KpiPoint {
  t: string;
  value: number | null;
  n: number;
  ci?: Ci;
}

export interface KpiSeries {
  group: Record<string, string>;
  points: KpiPoint[];
}

export interface KpiAnswer {
  kpi: KpiInfo;
  project: string;
  from: string;
  to: string;
  step_seconds: number;
  group_by: string[];
  confidence: number;
  series: KpiSeries[];
}

export interface Call {
  id: string;
  conversation_id?: string;
  session_id?: string;
  user_id?: string;
  start_time: string;
  end_time?: string;
  duration_ms?: number;
  ttft_ms?: number;
  provider?: string;
  model?: string;
  request_model?: string;
  response_model?: string;
  route?: string;
  environment?: string;
  service?: string;
  prompt_name?: string;
  prompt_version?: string;
  variant?: string;
  release?: string;
  operation?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  reasoning_tokens?: number;
  cost_usd?: number;
  cost_computed?: boolean;
  status?: string;
  error_type?: string;
  finish_reason?: string;
  input?: string;
  output?: string;
  attributes?: Record<string, string>;
  [k: string]: unknown;
}

export interface Score {
  id: string;
  name: string;
  value?: number;
  label?: string;
  call_id?: string;
  conversation_id?: string;
  user_id?: string;
  source?: string;
  author?: string;
  comment?: string;
  time?: string;
}

export interface Outcome {
  id: string;
  name: string;
  value?: number;
  conversation_id?: string;
  session_id?: string;
  user_id?: string;
  time?: string;
}

export interface Conversation {
  id: string;
  project: string;
  summary: { calls: number; cost_usd: number; tokens: number; start_time?: string; end_time?: string };
  calls: Call[];
  scores: Score[];
  outcomes: Outcome[];
}

// Goals, baselines, reports, alerts, silences and notifications (optional capabilities: their
// GET answers 404 on a server without them). Shapes: docs/api.md.
export interface Goal {
  name: string;
  kpi: string;
  scope?: Record<string, string>;
  target: { op: string; value: number };
  status: "met" | "at_risk" | "missed" | "insufficient_data";
  value: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  unit?: string;
  better?: string;
  window?: string;
  confidence?: number;
  min_samples?: number;
  n?: number;
  from?: string;
  to?: string;
  series?: { t: string; value: number | null }[];
  error?: string;
}

export interface Distribution {
  kind: string;
  value?: number | null;
  n?: number;
  unit?: string;
  better?: string;
  [k: string]: unknown;
}

export interface Baseline {
  name: string;
  project: string;
  kpi: string | null;
  field: string | null;
  params?: Record<string, string>;
  filter?: Record<string, string>;
  selector?: { from?: string; to?: string; version?: Record<string, string> };
  created?: string;
  distribution: Distribution;
}

export interface Comparison {
  method: string;
  baseline_value: number | null;
  current_value: number | null;
  difference: number | null;
  relative_change: number | null;
  ci_low: number | null;
  ci_high: number | null;
  confidence: number;
  statistic?: number | null;
  pvalue: number | null;
  df?: number | null;
  n_baseline: number;
  n_current: number;
  significant: boolean;
  degraded: boolean;
  degradation_pvalue?: number | null;
}

export interface BaselineComparison {
  baseline: string;
  project: string;
  kpi: string | null;
  field: string | null;
  from: string;
  to: string;
  current: Distribution;
  comparison: Comparison;
}

export interface ReportSummary {
  id: number;
  schedule: string;
  project: string;
  from: string;
  to: string;
  created: string;
  degraded: boolean;
}

export interface ReportKpi {
  kpi: string;
  scope?: Record<string, string>;
  params?: Record<string, string>;
  value?: number | null;
  ci_low?: number | null;
  ci_high?: number | null;
  n?: number;
  unit?: string;
  baseline?: string;
  comparison?: Comparison;
  adjusted_pvalue?: number | null;
  degraded?: boolean;
  error?: string;
}

export interface ReportDocument {
  schedule: string;
  project: string;
  alpha: number;
  confidence: number;
  correction?: string;
  degraded: boolean;
  kpis: ReportKpi[];
  goals: (Partial<Goal> & { name: string; error?: string })[];
}

export interface Transition {
  from: string;
  to: string;
  at: string;
  value?: number | null;
  silenced?: boolean;
}

export interface Alert {
  rule: string;
  fingerprint?: string;
  state: "firing" | "pending" | "resolved";
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  active_since?: string;
  fired_at?: string;
  resolved_at?: string;
  value?: number | null;
  silenced?: boolean;
  silenced_by?: string[];
  timeline?: Transition[];
}

export interface AlertRule {
  name: string;
  project?: string | null;
  condition: Record<string, unknown>;
  window_seconds?: number;
  for_seconds?: number;
  keep_firing_for_seconds?: number;
  group_by?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  notifiers?: string[];
  health?: string;
  last_error?: string | null;
  last_evaluation?: string | null;
  evaluation_seconds?: number | null;
  pending?: number;
  firing?: number;
}

export interface Silence {
  id: string;
  project?: string | null;
  matchers: (string | { name: string; value: string; isRegex?: boolean; isEqual?: boolean })[];
  starts: string;
  ends: string;
  comment?: string;
  created_by?: string;
  created_at?: string;
  status: "pending" | "active" | "expired";
}

export interface Notification {
  id: number;
  kind: string;
  notifier: string;
  project?: string;
  idempotency_key: string;
  summary?: string;
  status: string;
  attempts: number;
  last_status?: number;
  last_error?: string | null;
  created_at?: string;
  updated_at?: string;
  next_attempt_at?: string | null;
  delivered_at?: string | null;
  expires_at?: string | null;
}
