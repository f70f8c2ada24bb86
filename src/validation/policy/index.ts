export { PolicyLevel, PolicyFinding, PolicyContext, IPolicyRule, PolicyRuleProps, PolicyRule } from './rule';
export { ContainerRole, PodContainerRef, PodTemplateRef, PodTemplates } from './pod-templates';
export {
  PodTemplateRule, RunAsNonRootRule, NoPrivilegeEscalationRule, DropCapabilitiesRule, SeccompProfileRule,
  NoPrivilegedRule, NoHostNamespacesRule, RestrictedVolumesRule, NoHostPortRule, PodSecurityRuleProps,
} from './pod-security';
export {
  AppArmorProfileRule, SeLinuxOptionsRule, ProcMountRule, SafeSysctlsRule, NoWindowsHostProcessRule, NoProbeHostRule,
} from './pod-security-baseline';
export { NoPlaintextSecretEnvRule, NoSecretInConfigMapRule, NoInlineSecretRule } from './secrets';
export { AsyncActorNetworkPolicyRule, WorkloadNetworkPolicyRule } from './network-policy';
export { ResourceLimitsRule } from './resources';
export { PinnedImageRule } from './images';
export { NoRbacWildcardRule, NoRbacEscalationRule } from './rbac';
export { SuppressionReasonRule } from './suppressions';
export { Policy, PolicyCheckOptions, DefaultRulesOptions } from './policy';
