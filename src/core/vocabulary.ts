import { IConstruct } from 'constructs';
import { check } from './errors';

/**
 * The shared vocabulary of the library: the syntax of the names and references every layer checks
 * (environment variable names, Hugging Face ids, storage URI schemes, identifiers, the labels the
 * library puts on its objects). One module, so that a rule is stated once and every construct refuses
 * the same values with the same words. DNS names and label keys/values are in `./names`.
 */

/** Kubernetes' environment variable name rule (`validation.IsEnvVarName`). */
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** The rule as shown in errors. */
export const ENV_NAME_RULE = 'is not a valid environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)';

/** True when `name` is a valid environment variable name. */
export function isEnvName(name: string): boolean {
  return typeof name === 'string' && ENV_NAME.test(name);
}

/** A Hugging Face Hub repository id, `org/model`. */
export const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** True when `id` is a Hugging Face Hub id of the form `org/model`. */
export function isHuggingFaceId(id: string): boolean {
  return typeof id === 'string' && HF_ID.test(id);
}

/** Checks a Hugging Face Hub id. */
export function checkHuggingFaceId(scope: IConstruct | string, field: string, id: string): void {
  check(isHuggingFaceId(id), scope, field, id, 'must be a Hugging Face id of the form org/model');
}

/** A Python (and shell-safe) identifier. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Storage URI schemes, per reader: each upstream reads its own set.
 */
export const URI_SCHEMES = {
  /** Triton's `--model-repository` cloud paths (S3, GCS, Azure Storage). */
  triton: ['s3://', 'gs://', 'as://'],
  /** KServe's storage initializer (`storageUri`). */
  kserve: ['hf://', 's3://', 'gs://', 'pvc://', 'oci://', 'https://'],
};

/** True when `uri` starts with one of `schemes` and has something after it. */
export function hasUriScheme(uri: string, schemes: string[]): boolean {
  return typeof uri === 'string' && schemes.some((s) => uri.startsWith(s) && uri.length > s.length);
}

/** Checks that `uri` starts with one of `schemes` and has something after it. */
export function checkUriScheme(scope: IConstruct | string, field: string, uri: string, schemes: string[]): void {
  check(hasUriScheme(uri, schemes), scope, field, uri, `must start with one of ${schemes.join(', ')}`);
}

/** The label every object of the library carries. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'cdk8s-asya' };
