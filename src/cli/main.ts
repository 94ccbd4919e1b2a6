// vmx-lab: the headless command (DESIGN section 6).
console.error('vmx-lab: not implemented yet');
process.exit(2);
