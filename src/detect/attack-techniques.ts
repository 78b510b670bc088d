/**
 * The MITRE ATT&CK Enterprise techniques a detector header may cite, pinned to one release so a
 * header can be checked offline and a report names the version it maps to. Written from the
 * published matrix; covers the Cloud (IaaS, SaaS, Office Suite, Identity Provider) and Containers
 * platforms plus the general techniques cloud audit logs can show. Add an entry (with its exact
 * ATT&CK name) when a detector needs one; move the version only with a review of every name.
 */
export const ATTACK_VERSION = 'v17';

export const ATTACK_TECHNIQUES: Readonly<Record<string, string>> = {
  // Reconnaissance and resource development
  T1585: 'Establish Accounts',
  'T1585.003': 'Establish Accounts: Cloud Accounts',
  T1586: 'Compromise Accounts',
  'T1586.003': 'Compromise Accounts: Cloud Accounts',

  // Initial access
  T1078: 'Valid Accounts',
  'T1078.001': 'Valid Accounts: Default Accounts',
  'T1078.002': 'Valid Accounts: Domain Accounts',
  'T1078.003': 'Valid Accounts: Local Accounts',
  'T1078.004': 'Valid Accounts: Cloud Accounts',
  T1133: 'External Remote Services',
  T1190: 'Exploit Public-Facing Application',
  T1195: 'Supply Chain Compromise',
  'T1195.002': 'Supply Chain Compromise: Compromise Software Supply Chain',
  T1199: 'Trusted Relationship',
  T1566: 'Phishing',
  'T1566.002': 'Phishing: Spearphishing Link',

  // Execution
  T1059: 'Command and Scripting Interpreter',
  'T1059.004': 'Command and Scripting Interpreter: Unix Shell',
  'T1059.009': 'Command and Scripting Interpreter: Cloud API',
  T1072: 'Software Deployment Tools',
  T1204: 'User Execution',
  'T1204.003': 'User Execution: Malicious Image',
  T1609: 'Container Administration Command',
  T1610: 'Deploy Container',
  T1648: 'Serverless Execution',
  T1651: 'Cloud Administration Command',
  T1053: 'Scheduled Task/Job',
  'T1053.007': 'Scheduled Task/Job: Container Orchestration Job',

  // Persistence
  T1098: 'Account Manipulation',
  'T1098.001': 'Account Manipulation: Additional Cloud Credentials',
  'T1098.002': 'Account Manipulation: Additional Email Delegate Permissions',
  'T1098.003': 'Account Manipulation: Additional Cloud Roles',
  'T1098.004': 'Account Manipulation: SSH Authorized Keys',
  'T1098.005': 'Account Manipulation: Device Registration',
  'T1098.006': 'Account Manipulation: Additional Container Cluster Roles',
  'T1098.007': 'Account Manipulation: Additional Local or Domain Groups',
  T1136: 'Create Account',
  'T1136.001': 'Create Account: Local Account',
  'T1136.002': 'Create Account: Domain Account',
  'T1136.003': 'Create Account: Cloud Account',
  T1137: 'Office Application Startup',
  T1505: 'Server Software Component',
  'T1505.003': 'Server Software Component: Web Shell',
  T1525: 'Implant Internal Image',
  T1543: 'Create or Modify System Process',
  'T1543.005': 'Create or Modify System Process: Container Service',
  T1554: 'Compromise Host Software Binary',
  T1671: 'Cloud Application Integration',

  // Privilege escalation
  T1068: 'Exploitation for Privilege Escalation',
  T1484: 'Domain or Tenant Policy Modification',
  'T1484.001': 'Domain or Tenant Policy Modification: Group Policy Modification',
  'T1484.002': 'Domain or Tenant Policy Modification: Trust Modification',
  T1548: 'Abuse Elevation Control Mechanism',
  'T1548.005': 'Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access',
  T1611: 'Escape to Host',

  // Defense evasion
  T1036: 'Masquerading',
  'T1036.010': 'Masquerading: Masquerade Account Name',
  T1070: 'Indicator Removal',
  'T1070.004': 'Indicator Removal: File Deletion',
  'T1070.008': 'Indicator Removal: Clear Mailbox Data',
  T1535: 'Unused/Unsupported Cloud Regions',
  T1550: 'Use Alternate Authentication Material',
  'T1550.001': 'Use Alternate Authentication Material: Application Access Token',
  'T1550.004': 'Use Alternate Authentication Material: Web Session Cookie',
  T1556: 'Modify Authentication Process',
  'T1556.006': 'Modify Authentication Process: Multi-Factor Authentication',
  'T1556.007': 'Modify Authentication Process: Hybrid Identity',
  'T1556.009': 'Modify Authentication Process: Conditional Access Policies',
  T1562: 'Impair Defenses',
  'T1562.001': 'Impair Defenses: Disable or Modify Tools',
  'T1562.007': 'Impair Defenses: Disable or Modify Cloud Firewall',
  'T1562.008': 'Impair Defenses: Disable or Modify Cloud Logs',
  'T1562.012': 'Impair Defenses: Disable or Modify Linux Audit System',
  T1564: 'Hide Artifacts',
  'T1564.008': 'Hide Artifacts: Email Hiding Rules',
  T1578: 'Modify Cloud Compute Infrastructure',
  'T1578.001': 'Modify Cloud Compute Infrastructure: Create Snapshot',
  'T1578.002': 'Modify Cloud Compute Infrastructure: Create Cloud Instance',
  'T1578.003': 'Modify Cloud Compute Infrastructure: Delete Cloud Instance',
  'T1578.004': 'Modify Cloud Compute Infrastructure: Revert Cloud Instance',
  'T1578.005': 'Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations',
  T1612: 'Build Image on Host',
  T1656: 'Impersonation',
  T1666: 'Modify Cloud Resource Hierarchy',

  // Credential access
  T1110: 'Brute Force',
  'T1110.001': 'Brute Force: Password Guessing',
  'T1110.002': 'Brute Force: Password Cracking',
  'T1110.003': 'Brute Force: Password Spraying',
  'T1110.004': 'Brute Force: Credential Stuffing',
  T1111: 'Multi-Factor Authentication Interception',
  T1212: 'Exploitation for Credential Access',
  T1528: 'Steal Application Access Token',
  T1539: 'Steal Web Session Cookie',
  T1552: 'Unsecured Credentials',
  'T1552.001': 'Unsecured Credentials: Credentials In Files',
  'T1552.004': 'Unsecured Credentials: Private Keys',
  'T1552.005': 'Unsecured Credentials: Cloud Instance Metadata API',
  'T1552.007': 'Unsecured Credentials: Container API',
  T1555: 'Credentials from Password Stores',
  'T1555.006': 'Credentials from Password Stores: Cloud Secrets Management Stores',
  T1606: 'Forge Web Credentials',
  'T1606.001': 'Forge Web Credentials: Web Cookies',
  'T1606.002': 'Forge Web Credentials: SAML Tokens',
  T1621: 'Multi-Factor Authentication Request Generation',
  T1649: 'Steal or Forge Authentication Certificates',

  // Discovery
  T1016: 'System Network Configuration Discovery',
  T1046: 'Network Service Discovery',
  T1049: 'System Network Connections Discovery',
  T1069: 'Permission Groups Discovery',
  'T1069.003': 'Permission Groups Discovery: Cloud Groups',
  T1082: 'System Information Discovery',
  T1083: 'File and Directory Discovery',
  T1087: 'Account Discovery',
  'T1087.003': 'Account Discovery: Email Account',
  'T1087.004': 'Account Discovery: Cloud Account',
  T1201: 'Password Policy Discovery',
  T1518: 'Software Discovery',
  'T1518.001': 'Software Discovery: Security Software Discovery',
  T1526: 'Cloud Service Discovery',
  T1538: 'Cloud Service Dashboard',
  T1580: 'Cloud Infrastructure Discovery',
  T1613: 'Container and Resource Discovery',
  T1619: 'Cloud Storage Object Discovery',
  T1654: 'Log Enumeration',

  // Lateral movement
  T1021: 'Remote Services',
  'T1021.007': 'Remote Services: Cloud Services',
  'T1021.008': 'Remote Services: Direct Cloud VM Connections',
  T1534: 'Internal Spearphishing',

  // Collection
  T1005: 'Data from Local System',
  T1074: 'Data Staged',
  'T1074.002': 'Data Staged: Remote Data Staging',
  T1114: 'Email Collection',
  'T1114.002': 'Email Collection: Remote Email Collection',
  'T1114.003': 'Email Collection: Email Forwarding Rule',
  T1119: 'Automated Collection',
  T1213: 'Data from Information Repositories',
  'T1213.002': 'Data from Information Repositories: Sharepoint',
  'T1213.003': 'Data from Information Repositories: Code Repositories',
  T1530: 'Data from Cloud Storage',

  // Command and control
  T1071: 'Application Layer Protocol',
  'T1071.001': 'Application Layer Protocol: Web Protocols',
  T1090: 'Proxy',
  'T1090.003': 'Proxy: Multi-hop Proxy',
  T1102: 'Web Service',
  T1105: 'Ingress Tool Transfer',
  T1665: 'Hide Infrastructure',

  // Exfiltration
  T1020: 'Automated Exfiltration',
  T1048: 'Exfiltration Over Alternative Protocol',
  T1537: 'Transfer Data to Cloud Account',
  T1567: 'Exfiltration Over Web Service',
  'T1567.002': 'Exfiltration Over Web Service: Exfiltration to Cloud Storage',
  'T1567.004': 'Exfiltration Over Web Service: Exfiltration Over Webhook',

  // Impact
  T1485: 'Data Destruction',
  'T1485.001': 'Data Destruction: Lifecycle-Triggered Deletion',
  T1486: 'Data Encrypted for Impact',
  T1489: 'Service Stop',
  T1490: 'Inhibit System Recovery',
  T1491: 'Defacement',
  'T1491.002': 'Defacement: External Defacement',
  T1496: 'Resource Hijacking',
  'T1496.001': 'Resource Hijacking: Compute Hijacking',
  'T1496.002': 'Resource Hijacking: Bandwidth Hijacking',
  'T1496.003': 'Resource Hijacking: SMS Pumping',
  'T1496.004': 'Resource Hijacking: Cloud Service Hijacking',
  T1498: 'Network Denial of Service',
  T1499: 'Endpoint Denial of Service',
  T1529: 'System Shutdown/Reboot',
  T1531: 'Account Access Removal',
  T1565: 'Data Manipulation',
  'T1565.001': 'Data Manipulation: Stored Data Manipulation',
  T1657: 'Financial Theft',
};

export function isKnownTechnique(id: string): boolean {
  return Object.hasOwn(ATTACK_TECHNIQUES, id);
}

export function techniqueName(id: string): string | undefined {
  return Object.hasOwn(ATTACK_TECHNIQUES, id) ? ATTACK_TECHNIQUES[id] : undefined;
}
