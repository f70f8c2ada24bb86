import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvValue } from '../core/env';
import { k8s } from '../core/k8s';
import { Volume, VolumeMount } from '../core/volume';

/** Where this package keeps its dependency-free Python handlers (`<package>/handlers`). */
const HANDLERS_DIR = path.join(__dirname, '..', '..', 'handlers');

/**
 * One of this package's Python handlers, shipped in a ConfigMap and mounted into an actor's runtime.
 */
export interface BundledHandler {
  /** The ConfigMap holding the handler. */
  readonly configMap: ApiObject;
  /** The pod volume of the ConfigMap. */
  readonly volume: Volume;
  /** The mount of that volume into the runtime container. */
  readonly mount: VolumeMount;
  /** The runtime env that makes the module importable (PYTHONPATH). */
  readonly env: { [name: string]: EnvValue };
}

/**
 * Ships `handlers/<module>.py` in a ConfigMap `<actor>-<suffix>` (child id `Handler`) and returns the
 * volume, mount and env an AsyncActor needs to import it from `/opt/<suffix>`.
 */
export function bundleHandler(scope: Construct, actorName: string, module: string, suffix: string, component: string): BundledHandler {
  const configMapName = `${actorName}-${suffix}`;
  const configMap = new k8s.KubeConfigMap(scope, 'Handler', {
    metadata: { name: configMapName, labels: { 'app.kubernetes.io/name': actorName, 'app.kubernetes.io/component': component } },
    data: { [`${module}.py`]: fs.readFileSync(path.join(HANDLERS_DIR, `${module}.py`), 'utf8') },
  });
  const volumeName = `${suffix}-handler`;
  return {
    configMap,
    volume: Volume.configMap(volumeName, configMapName, 0o444),
    mount: { volume: volumeName, mountPath: `/opt/${suffix}`, readOnly: true },
    env: { PYTHONPATH: EnvValue.fromValue(`/opt/${suffix}`) },
  };
}
