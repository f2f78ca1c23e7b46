#!/usr/bin/env node
import '../dist/mlops-project.js';
