"""IIMS assessment service (评估与诊断): GB/T 23020 self-assessment — domain rules so far."""
