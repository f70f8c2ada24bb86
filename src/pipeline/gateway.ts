/**
 * Type of a gateway tool parameter.
 */
export enum ToolParameterType {
  STRING = 'string',
  NUMBER = 'number',
  INTEGER = 'integer',
  BOOLEAN = 'boolean',
  ARRAY = 'array',
  OBJECT = 'object',
}

/**
 * A typed parameter of a gateway tool.
 */
export interface ToolParameter {
  /** Parameter name. */
  readonly name: string;
  /** Its type. */
  readonly type: ToolParameterType;
  /**
   * What it means (shown to MCP clients).
   * @default - none
   */
  readonly description?: string;
  /**
   * Whether callers must give it.
   * @default false
   */
  readonly required?: boolean;
  /**
   * Default value, as JSON (e.g. `"\"en\""`, `"3"`, `"true"`).
   * @default - none
   */
  readonly defaultJson?: string;
  /**
   * Allowed values (strings).
   * @default - any
   */
  readonly options?: string[];
}

/**
 * A tool the Asya gateway exposes over MCP and REST; calling it sends a message down a route.
 */
export interface GatewayTool {
  /** Tool name (letters, digits, `_` and `-`). */
  readonly name: string;
  /** What it does. */
  readonly description: string;
  /** The name of the pipeline route a call starts. */
  readonly route: string;
  /**
   * Typed parameters (the message payload).
   * @default - none
   */
  readonly parameters?: ToolParameter[];
  /**
   * Stream progress updates.
   * @default - the gateway's default
   */
  readonly progress?: boolean;
  /**
   * Seconds the gateway waits for the result.
   * @default - the gateway's default
   */
  readonly timeoutSeconds?: number;
}
